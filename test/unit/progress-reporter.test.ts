// How a running task's worker reports progress (lib/worker/progress.ts), on the in-memory task
// store with fake timers: how often and what it writes, and how it learns that the task is
// no longer its own or that its host is stopping.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskProgress, TaskRecord } from '../../lib/tasks/model.ts';
import type { TaskStore } from '../../lib/tasks/task-store.ts';
import { TaskFailure } from '../../lib/worker/failure.ts';
import { ProgressReporter } from '../../lib/worker/progress.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';

const OWNER = 'host-1:worker';

async function claimedTask(store: MemoryTaskStore): Promise<TaskRecord> {
  const id = await store.nextId('export');
  await store.create({ kind: 'export', id, state: 'waiting', type: 'lxc', cid: 'c', cname: 'c', user: 'Anonymous', path: '/test/c.tar', init: 0 });
  return (await store.claim('export', id, OWNER))!;
}

/** The store with the progress values it was asked to write, in order. */
function recordingStore(inner: MemoryTaskStore) {
  const written: number[] = [];
  const store: TaskStore = Object.assign(Object.create(inner) as TaskStore, {
    reportProgress: (task: TaskRecord, owner: string, progress: TaskProgress) => {
      written.push(progress.percent);
      return inner.reportProgress(task, owner, progress);
    },
  });
  return { store, written };
}

const reporters: ProgressReporter[] = [];
function reporterFor(store: TaskStore, task: TaskRecord, shutdown?: AbortSignal): ProgressReporter {
  const reporter = new ProgressReporter(store, task, OWNER, shutdown);
  reporters.push(reporter);
  return reporter;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await Promise.all(reporters.splice(0).map((r) => r.stop()));
  vi.useRealTimers();
});

describe('progress reporting', () => {
  it('writes at most every 500 ms and only higher percentages, the latest value once the interval is over', async () => {
    const inner = new MemoryTaskStore();
    const task = await claimedTask(inner);
    const { store, written } = recordingStore(inner);
    const reporter = reporterFor(store, task);
    reporter.update(5, 100);
    await vi.advanceTimersByTimeAsync(100);
    reporter.update(7, 100);
    reporter.update(9, 100);
    await vi.advanceTimersByTimeAsync(399);
    reporter.update(10, 100);
    expect(written).toEqual([5]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([5, 10]);
    reporter.update(11, 100);
    reporter.update(3, 100);
    await vi.advanceTimersByTimeAsync(499);
    expect(written).toEqual([5, 10]);
    await vi.advanceTimersByTimeAsync(1);
    reporter.update(11, 100);
    await reporter.stop();
    expect(written).toEqual([5, 10, 11]);
    expect(await inner.get('export', task.id)).toMatchObject({ progress: 11, bytesDone: 11, bytesTotal: 100 });
  });

  it('counts the bytes read against a size the runtime finds while the export runs, from the first bytes read after it came', async () => {
    const inner = new MemoryTaskStore();
    const task = await claimedTask(inner);
    const { store, written } = recordingStore(inner);
    const reporter = reporterFor(store, task);
    let found!: (bytes: number) => void;
    const count = reporter.countAgainst(new Promise<number>((resolve) => (found = resolve)));
    count(10);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written, 'no size yet, nothing to count against').toEqual([]);
    found(200);
    await vi.advanceTimersByTimeAsync(0);
    count(50);
    await reporter.stop();
    expect(written).toEqual([25]);
    expect(await inner.get('export', task.id)).toMatchObject({ progress: 25, bytesDone: 50, bytesTotal: 200 });
  });

  it('writes the last value of a source that stalls, once the interval is over', async () => {
    const inner = new MemoryTaskStore();
    const task = await claimedTask(inner);
    const { store, written } = recordingStore(inner);
    const reporter = reporterFor(store, task);
    reporter.update(40, 100);
    reporter.update(99, 100);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(written).toEqual([40, 99]);
  });

  it('writes -1 once when the size is unknown, and no percentage after it', async () => {
    const inner = new MemoryTaskStore();
    const task = await claimedTask(inner);
    const { store, written } = recordingStore(inner);
    const reporter = reporterFor(store, task);
    reporter.totalUnknown();
    await vi.advanceTimersByTimeAsync(1000);
    reporter.update(50, 100);
    await reporter.stop();
    expect(written).toEqual([-1]);
    expect((await inner.get('export', task.id))?.progress).toBe(-1);
  });

  it('aborts its signal when a progress write finds the task taken by someone else', async () => {
    const store = new MemoryTaskStore();
    const task = await claimedTask(store);
    const reporter = reporterFor(store, task);
    store.tamper('export', task.id, { owner: 'another-worker' });
    reporter.update(10, 100);
    await reporter.stop();
    expect(reporter.signal.aborted).toBe(true);
    expect((reporter.signal.reason as Error).message).toBe('The task was taken over: its lease expired');
    expect((await store.get('export', task.id))?.progress).toBe(0);
  });

  it('confirms ownership while the task is its own, and throws a TaskFailure once it was taken', async () => {
    const store = new MemoryTaskStore(10_000);
    const task = await claimedTask(store);
    const reporter = reporterFor(store, task);
    await vi.advanceTimersByTimeAsync(1000);
    await reporter.confirmOwnership();
    // Confirming renewed the lease: the fence is a write, not a read.
    expect((await store.get('export', task.id))?.leaseUntil).toBe(Date.now() + 10_000);
    store.tamper('export', task.id, { owner: 'the-sweep-or-another-worker' });
    const confirmed = reporter.confirmOwnership();
    await expect(confirmed).rejects.toBeInstanceOf(TaskFailure);
    await expect(confirmed).rejects.toThrow('The task was taken over while it ran (its lease expired); nothing was written');
  });

  it('aborts its signal with the interrupted message when its host shuts down', async () => {
    const store = new MemoryTaskStore();
    const task = await claimedTask(store);
    const shutdown = new AbortController();
    const reporter = reporterFor(store, task, shutdown.signal);
    expect(reporter.signal.aborted).toBe(false);
    shutdown.abort('stopped (SIGTERM)');
    expect(reporter.signal.aborted).toBe(true);
    expect(reporter.signal.reason).toBeInstanceOf(TaskFailure);
    expect((reporter.signal.reason as Error).message).toBe('stevedore stopped (SIGTERM) while this export ran; start it again');
  });
});
