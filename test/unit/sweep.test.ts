// The stale-task sweep (lib/worker/sweep.ts) on the in-memory task store and share storage:
// which tasks it ends, what it says, and what it frees with them. That a swept export is
// aborted for a client and its path can be exported to again is tested end to end in
// test/e2e/progress.test.ts.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import type { ContainerType } from '../../lib/container-type.ts';
import { setLogLevel } from '../../lib/log.ts';
import type { PendingWrite } from '../../lib/share/share-storage.ts';
import { epochSeconds, type TaskRecord } from '../../lib/tasks/model.ts';
import type { TaskStore } from '../../lib/tasks/task-store.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { MemoryShareStorage } from '../support/memory-share-storage.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';

// No composition root runs here to set the level the test environment asks for; the sweep's
// expected warnings would flood the output otherwise.
setLogLevel(loadConfig().logLevel);

const LEASE_MS = 10_000;
const OWNER = 'a-worker-that-died';

async function exportTask(store: MemoryTaskStore, name: string, claimed: boolean, type: ContainerType = 'lxc', init = 0): Promise<TaskRecord> {
  const id = await store.nextId('export');
  const path = `/test/${name}.tar`;
  await store.create(
    { kind: 'export', id, state: 'waiting', type, cid: name, cname: name, user: 'Anonymous', path, init, uses: [`path:${path}`, `container:${type}/${name}`] },
    { key: `export-path:${path}`, takenMessage: 'taken' },
  );
  if (claimed) await store.claim('export', id, OWNER);
  return (await store.get('export', id))!;
}

describe('the stale-task sweep', () => {
  it('aborts only running tasks whose lease ran out, naming the silence, and frees their reservation, uses and pending write', async () => {
    const tasks = new MemoryTaskStore(LEASE_MS);
    const storage = new MemoryShareStorage();
    const now = Date.now();
    const stale = await exportTask(tasks, 'stale', true);
    const upload: PendingWrite = { key: 'test/stale.tar', uploadId: 'upload-1' };
    await tasks.recordPendingWrite(stale, OWNER, upload);
    tasks.tamper('export', stale.id, { leaseUntil: now - 5_000 });
    const live = await exportTask(tasks, 'live', true);
    const waiting = await exportTask(tasks, 'waiting', false);

    const swept = await sweepStaleTasks({ tasks, storage }, now);

    expect(swept.map((t) => t.id)).toEqual([stale.id]);
    // Silent since its last renewal: the lease ran out 5 s ago, one lease after it.
    expect(await tasks.get('export', stale.id)).toMatchObject({
      state: 'aborted',
      result: 1,
      error: 'The worker stopped reporting for 15 s and the task was abandoned; start it again',
    });
    expect(await tasks.get('export', live.id)).toMatchObject({ state: 'running', owner: OWNER });
    expect((await tasks.get('export', waiting.id))?.state).toBe('waiting');
    expect(tasks.reservationsHeld()).toEqual(['export-path:/test/live.tar', 'export-path:/test/waiting.tar']);
    expect(tasks.usesHeld()).toEqual(['container:lxc/live', 'container:lxc/waiting', 'path:/test/live.tar', 'path:/test/waiting.tar']);
    expect(storage.abandonedWrites).toEqual([upload]);
  });

  it('leaves a task whose worker renewed the lease after the sweep looked', async () => {
    const inner = new MemoryTaskStore(LEASE_MS);
    const storage = new MemoryShareStorage();
    const task = await exportTask(inner, 'renewed', true);
    await inner.recordPendingWrite(task, OWNER, { key: 'test/renewed.tar', uploadId: 'upload-2' });
    inner.tamper('export', task.id, { leaseUntil: Date.now() - 1 });
    // The worker renews right after the sweep listed the running tasks, before it writes.
    const tasks: TaskStore = Object.assign(Object.create(inner) as TaskStore, {
      listInState: async (...args: Parameters<TaskStore['listInState']>) => {
        const listed = await inner.listInState(...args);
        for (const seen of listed) await inner.renewLease(seen, OWNER);
        return listed;
      },
    });

    expect(await sweepStaleTasks({ tasks, storage })).toEqual([]);
    expect(await inner.get('export', task.id)).toMatchObject({ state: 'running', owner: OWNER });
    expect(inner.reservationsHeld()).toEqual(['export-path:/test/renewed.tar']);
    expect(inner.usesHeld()).toEqual(['container:lxc/renewed', 'path:/test/renewed.tar']);
    expect(storage.abandonedWrites).toEqual([]);
  });
});

describe('the sweep of tasks placed on container hosts', () => {
  const WAIT_MS = 15 * 60_000;
  const placement = { hostTypes: ['lxc'], hostWaitMs: WAIT_MS } satisfies Parameters<typeof sweepStaleTasks>[2];
  const now = Date.now();
  /** Created this long ago, in epoch seconds as tasks record it. */
  const createdAgo = (ms: number) => epochSeconds(now - ms);

  it('aborts a host type\'s task that waited past the bound while no host worker was at work, naming the missing host worker', async () => {
    const tasks = new MemoryTaskStore(LEASE_MS);
    const forgotten = await exportTask(tasks, 'forgotten', false, 'lxc', createdAgo(WAIT_MS + 1000));
    const recent = await exportTask(tasks, 'recent', false, 'lxc', createdAgo(WAIT_MS - 60_000));

    const swept = await sweepStaleTasks({ tasks }, now, placement);

    expect(swept.map((t) => t.id)).toEqual([forgotten.id]);
    const aborted = await tasks.get('export', forgotten.id);
    // It never ran: it starts and ends when the sweep aborts it, as every aborted task has both.
    expect(aborted?.start).toBe(aborted?.end);
    expect(aborted?.end).toBeGreaterThanOrEqual(epochSeconds(now));
    expect(aborted).toMatchObject({
      state: 'aborted',
      result: 1,
      error: 'No host worker for lxc containers took this export within 15 min; start stevedore-worker with STEVEDORE_HOST_TYPES=lxc on the container host, then start the export again',
    });
    expect((await tasks.get('export', recent.id))?.state).toBe('waiting');
    expect(tasks.reservationsHeld()).toEqual(['export-path:/test/recent.tar']);
    expect(tasks.usesHeld()).toEqual(['container:lxc/recent', 'path:/test/recent.tar']);
  });

  it('leaves host types\' waiting tasks alone, however long they waited, while a host type\'s task runs under a live lease', async () => {
    const tasks = new MemoryTaskStore(LEASE_MS);
    const queued = await exportTask(tasks, 'queued', false, 'lxc', createdAgo(2 * WAIT_MS));
    await exportTask(tasks, 'busy', true, 'lxc', createdAgo(3 * WAIT_MS));

    expect(await sweepStaleTasks({ tasks }, now, placement)).toEqual([]);
    expect((await tasks.get('export', queued.id))?.state).toBe('waiting');
  });

  it('counts a host worker whose running task\'s lease ran out as gone: its task and the waiting ones are aborted', async () => {
    const tasks = new MemoryTaskStore(LEASE_MS);
    const queued = await exportTask(tasks, 'queued', false, 'lxc', createdAgo(2 * WAIT_MS));
    const stale = await exportTask(tasks, 'stale', true, 'lxc', createdAgo(3 * WAIT_MS));
    tasks.tamper('export', stale.id, { leaseUntil: now - 1 });

    const swept = await sweepStaleTasks({ tasks }, now, placement);

    expect(swept.map((t) => t.id).sort()).toEqual([queued.id, stale.id].sort());
    expect(tasks.reservationsHeld()).toEqual([]);
  });

  it('never sweeps a waiting task of a type the stack runs, nor any waiting task when no type is placed on hosts', async () => {
    const tasks = new MemoryTaskStore(LEASE_MS);
    // A docker export waits for `npm start`'s next start, which runs it.
    const stacked = await exportTask(tasks, 'stacked', false, 'docker', createdAgo(2 * WAIT_MS));
    const lxc = await exportTask(tasks, 'lxc', false, 'lxc', createdAgo(2 * WAIT_MS));

    expect(await sweepStaleTasks({ tasks }, now)).toEqual([]);
    expect((await sweepStaleTasks({ tasks }, now, placement)).map((t) => t.id)).toEqual([lxc.id]);
    expect((await tasks.get('export', stacked.id))?.state).toBe('waiting');
  });

  it('leaves a waiting task a host worker claimed after the sweep looked', async () => {
    const inner = new MemoryTaskStore(LEASE_MS);
    const task = await exportTask(inner, 'late', false, 'lxc', createdAgo(2 * WAIT_MS));
    const tasks: TaskStore = Object.assign(Object.create(inner) as TaskStore, {
      listInState: async (...args: Parameters<TaskStore['listInState']>) => {
        const listed = await inner.listInState(...args);
        if (args[1] === 'waiting') for (const seen of listed) await inner.claim(seen.kind, seen.id, OWNER);
        return listed;
      },
    });

    expect(await sweepStaleTasks({ tasks }, now, placement)).toEqual([]);
    expect(await inner.get('export', task.id)).toMatchObject({ state: 'running', owner: OWNER });
    expect(inner.reservationsHeld()).toEqual(['export-path:/test/late.tar']);
  });
});
