// The progress long poll's logic (lib/tasks/long-poll.ts) on the in-memory task store, with fake
// timers: what it answers and when, and how often it reads the store. The HTTP side (the
// cursor header, a client that hangs up, the answer shapes) is tested end to end in
// test/e2e/progress.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { landingRecheckMs } from '../../lib/tasks/change-watch.ts';
import { LAST_LOOK_MS, pollProgress, type PollOptions, type PollResult } from '../../lib/tasks/long-poll.ts';
import type { TaskRecord } from '../../lib/tasks/model.ts';
import type { TaskStore } from '../../lib/tasks/task-store.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';

const INTERVAL_MS = 250;
const BOUND_MS = 1000;

let nextId = 0;
async function runningTask(store: MemoryTaskStore): Promise<TaskRecord> {
  const task: TaskRecord = { kind: 'export', id: ++nextId, state: 'waiting', type: 'lxc', cid: 'c', cname: 'c', user: 'Anonymous', path: `/test/${nextId}.tar`, init: 0 };
  await store.create(task);
  return (await store.claim('export', task.id, 'worker'))!;
}

/** A poll under way, and whether it has answered yet, as fake time passes. */
function startPoll(store: TaskStore, options: Partial<PollOptions> = {}) {
  let result: PollResult | undefined;
  const answer = pollProgress(store, 'export', { boundMs: BOUND_MS, intervalMs: INTERVAL_MS, ...options }).then((r) => (result = r));
  return {
    answer,
    result: () => result,
    /** Lets `ms` of fake time pass, with every timer and promise due in it. */
    after: (ms: number) => vi.advanceTimersByTimeAsync(ms),
  };
}

/**
 * The store with its reads counted, and changedSince hiding the tasks of `unlanded` (writes
 * counted but still landing) and, from its index reads only, those of `lagging` (landed, but not
 * yet in the index).
 */
function watchedStore(inner: MemoryTaskStore, unlanded = new Set<number>(), lagging = new Set<number>()) {
  const reads = { changeCounter: 0, changedSince: 0, consistentChangedSince: 0 };
  const store: TaskStore = Object.assign(Object.create(inner) as TaskStore, {
    changeCounter: async (...args: Parameters<TaskStore['changeCounter']>) => {
      reads.changeCounter++;
      return inner.changeCounter(...args);
    },
    changedSince: async (...args: Parameters<TaskStore['changedSince']>) => {
      const consistent = args[2]?.consistent ?? false;
      if (consistent) reads.consistentChangedSince++;
      else reads.changedSince++;
      return (await inner.changedSince(...args)).filter((t) => !unlanded.has(t.id) && (consistent || !lagging.has(t.id)));
    },
  });
  return { store, reads, unlanded, lagging };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the progress long poll', () => {
  it('answers at once with the changes after the cursor it was given', async () => {
    const store = new MemoryTaskStore();
    const before = await store.changeCounter('export');
    const task = await runningTask(store);
    const poll = startPoll(store, { cursor: before });
    await poll.after(0);
    expect(poll.result()).toEqual({ tasks: [expect.objectContaining({ id: task.id, state: 'running' })], cursor: before + 1 });
  });

  it('waits until a change lands and answers it with the new cursor', async () => {
    const store = new MemoryTaskStore();
    await runningTask(store); // an older change, before the poll started: not answered
    const poll = startPoll(store);
    await poll.after(INTERVAL_MS);
    expect(poll.result()).toBeUndefined();
    const task = await runningTask(store);
    await poll.after(INTERVAL_MS);
    expect(poll.result()).toEqual({ tasks: [expect.objectContaining({ id: task.id })], cursor: await store.changeCounter('export') });
  });

  it('answers nothing at its bound, with the cursor it started from', async () => {
    const store = new MemoryTaskStore();
    await runningTask(store);
    const cursor = await store.changeCounter('export');
    const poll = startPoll(store, { cursor });
    await poll.after(BOUND_MS - 1);
    expect(poll.result()).toBeUndefined();
    await poll.after(1);
    expect(poll.result()).toEqual({ tasks: [], cursor });
  });

  it('gives a change that was counted but has not landed one interval, and answers it with the changes that had', async () => {
    const inner = new MemoryTaskStore();
    const first = await runningTask(inner);
    const landing = await runningTask(inner);
    const { store, unlanded } = watchedStore(inner, new Set([landing.id]));
    const poll = startPoll(store, { cursor: 0 });
    await poll.after(0);
    expect(poll.result(), 'a poll that answered now would skip the change still landing').toBeUndefined();
    unlanded.clear();
    await poll.after(INTERVAL_MS);
    expect(poll.result()).toEqual({ tasks: [expect.objectContaining({ id: landing.id }), expect.objectContaining({ id: first.id })], cursor: 2 });
  });

  it('looks again soon at a change counted while its write was still landing, rather than a whole interval later', async () => {
    const inner = new MemoryTaskStore();
    const { store, unlanded, reads } = watchedStore(inner);
    const poll = startPoll(store);
    await poll.after(0);
    const task = await runningTask(inner);
    unlanded.add(task.id);
    await poll.after(INTERVAL_MS);
    expect(poll.result(), 'the re-check saw the counter move before the task was written').toBeUndefined();
    const readsWhenLanding = reads.changeCounter;
    unlanded.clear();
    await poll.after(landingRecheckMs(INTERVAL_MS));
    expect(poll.result()?.tasks).toEqual([expect.objectContaining({ id: task.id })]);
    expect(reads.changeCounter).toBe(readsWhenLanding + 1);
  });

  it('answers after one interval with the changes that landed when a counted one never does, and moves its cursor past it', async () => {
    const inner = new MemoryTaskStore();
    const first = await runningTask(inner);
    const lost = await runningTask(inner);
    const { store } = watchedStore(inner, new Set([lost.id]));
    const poll = startPoll(store, { cursor: 0 });
    await poll.after(INTERVAL_MS - 1);
    expect(poll.result()).toBeUndefined();
    await poll.after(1);
    expect(poll.result()).toEqual({ tasks: [expect.objectContaining({ id: first.id })], cursor: 2 });
  });

  it('reads the table itself, once, rather than let its cursor pass a change the index has not shown within an interval', async () => {
    const inner = new MemoryTaskStore();
    const { store, lagging, reads } = watchedStore(inner);
    const poll = startPoll(store);
    await poll.after(0);
    const task = await runningTask(inner);
    lagging.add(task.id);
    await poll.after(2 * INTERVAL_MS);
    expect(poll.result(), 'a poll that trusted the index alone would answer nothing at its bound, with a cursor past the change').toEqual({
      tasks: [expect.objectContaining({ id: task.id, state: 'running' })],
      cursor: await inner.changeCounter('export'),
    });
    expect(reads.consistentChangedSince).toBe(1);
  });

  it('answers at the next re-check a task that changed twice since the last, with both changes counted as read', async () => {
    const inner = new MemoryTaskStore();
    const { store, reads } = watchedStore(inner);
    const poll = startPoll(store);
    await poll.after(0);
    const task = await runningTask(inner);
    await inner.reportProgress(task, 'worker', { percent: 10 });
    await poll.after(INTERVAL_MS);
    expect(poll.result(), 'the claim, overwritten by the progress, is not a write still landing').toEqual({
      tasks: [expect.objectContaining({ id: task.id, progress: 10 })],
      cursor: await inner.changeCounter('export'),
    });
    expect(reads.consistentChangedSince).toBe(0);
  });

  it('reads only the index when it shows every counted change', async () => {
    const inner = new MemoryTaskStore();
    const { store, reads } = watchedStore(inner);
    const poll = startPoll(store);
    await poll.after(0);
    const task = await runningTask(inner);
    await poll.after(INTERVAL_MS);
    expect(poll.result()?.tasks).toEqual([expect.objectContaining({ id: task.id })]);
    expect(reads).toMatchObject({ changedSince: 1, consistentChangedSince: 0 });
  });

  it('answers that nothing changed, with its cursor, when the table stops answering its last look, rather than past the time its answer is due', async () => {
    const inner = new MemoryTaskStore();
    const cursor = await inner.changeCounter('export');
    let hung = false;
    const store: TaskStore = Object.assign(Object.create(inner) as TaskStore, {
      changeCounter: (kind: 'export') => (hung ? new Promise<number>(() => undefined) : inner.changeCounter(kind)),
    });
    const poll = startPoll(store, { cursor });
    await poll.after(BOUND_MS - 1);
    hung = true;
    await poll.after(1 + LAST_LOOK_MS - 1);
    expect(poll.result()).toBeUndefined();
    await poll.after(1);
    expect(poll.result()).toEqual({ tasks: [], cursor });
  });

  it('stops re-checking the store once its signal aborts', async () => {
    const { store, reads } = watchedStore(new MemoryTaskStore());
    const hangUp = new AbortController();
    const poll = startPoll(store, { signal: hangUp.signal });
    await poll.after(INTERVAL_MS);
    hangUp.abort();
    await poll.after(0);
    const readsWhenAborted = reads.changeCounter;
    expect(poll.result()).toEqual({ tasks: [], cursor: 0 });
    await poll.after(BOUND_MS);
    expect(reads.changeCounter).toBe(readsWhenAborted);
  });

  it('reads only the change counter on each re-check while nothing changes', async () => {
    const inner = new MemoryTaskStore();
    for (let i = 0; i < 5; i++) await runningTask(inner);
    const { store, reads } = watchedStore(inner);
    const poll = startPoll(store);
    await poll.after(BOUND_MS);
    expect(poll.result()).toEqual({ tasks: [], cursor: 5 });
    // The starting point (which is also the check at 0), then one re-check at 250, 500, 750 and 1000 ms, whatever the number of tasks.
    expect(reads).toEqual({ changeCounter: 1 + BOUND_MS / INTERVAL_MS, changedSince: 0, consistentChangedSince: 0 });
  });

  it('shares each re-check among every poll waiting in the process: one counter read per interval, one task query per change', async () => {
    // Prepare: 200 polls opened at different moments of one interval
    const inner = new MemoryTaskStore();
    const { store, reads } = watchedStore(inner);
    const polls = [];
    for (let i = 0; i < 200; i++) {
      polls.push(startPoll(store));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 200); // every poll has had its first tick
    const readsBeforeChange = reads.changeCounter;
    // Act: a change, then one interval
    const task = await runningTask(inner);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    // Assess: one counter read and one task query answered them all
    for (const poll of polls) expect(poll.result()).toEqual({ tasks: [expect.objectContaining({ id: task.id })], cursor: 1 });
    expect(reads.changeCounter - readsBeforeChange).toBe(1);
    expect(reads.changedSince).toBe(1);
    expect(readsBeforeChange, 'the starting points and first ticks of 200 polls').toBeLessThanOrEqual(2);
  });
});
