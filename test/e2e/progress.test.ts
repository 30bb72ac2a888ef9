// The progress long poll and the stale-task sweep, against a running worker.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskKey } from '../../lib/tasks/dynamo-task-store.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { call, waitForTask } from '../support/api.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';
import { taskItem } from '../support/task-items.ts';

// Long enough that a task submitted after a poll opened is claimed within the poll's bound,
// even on a busy machine (the stream poller may be idling for a second).
const POLL_SECONDS = 5;
const stack = useTestStack({ STEVEDORE_POLL_SECONDS: String(POLL_SECONDS), STEVEDORE_POLL_INTERVAL_MS: '100' }, { worker: true, faults: true, timedSweep: false });

beforeAll(async () => {
  await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(48, 1024 * 1024));
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'bulky', image: 'bulky', tag: 'latest' })).status).toBe(200);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'small', image: 'demo', tag: 'latest' })).status).toBe(200);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'broken', image: 'demo', tag: 'latest' })).status).toBe(200);
  stack.faults!.truncate('broken');
});

type ApiTask = Record<string, any>;
interface PollAnswer {
  body: ApiTask[];
  cursor: string | null;
}

const isFinished = (task: ApiTask | undefined) => task?.state === 'completed' || task?.state === 'aborted';

async function poll(cursor?: string | null): Promise<PollAnswer> {
  const response = await call(stack.url, 'GET', `/api/v1/export/progress${cursor ? `?cursor=${cursor}` : ''}`);
  return { body: response.body, cursor: response.headers.get('x-stevedore-cursor') };
}

/** A poll opened now, before whatever the test does next (wrapped, so that awaiting this does not await the answer). */
async function openPoll(): Promise<{ answer: Promise<PollAnswer> }> {
  const answer = poll();
  // Let the poll take its starting point before the change it waits for happens.
  await new Promise((r) => setTimeout(r, 300));
  return { answer };
}

/**
 * Follows one task as a progress client does, sending back each answer's cursor: poll after
 * poll until an answer shows the task finished, pausing `pauseMs` between polls. Gives up
 * after 40 s, so a poll that never reports the end fails the test instead of hanging it.
 */
async function followTask(id: number, first: Promise<PollAnswer>, pauseMs = 0): Promise<ApiTask[][]> {
  const giveUpAt = Date.now() + 40_000;
  const bodies: ApiTask[][] = [];
  let answer = await first;
  for (;;) {
    bodies.push(answer.body);
    if (isFinished(answer.body.find((t) => t.id === id)) || Date.now() > giveUpAt) return bodies;
    await new Promise((r) => setTimeout(r, pauseMs));
    answer = await poll(answer.cursor);
  }
}

/** Makes the task look like its worker died long ago (another owner, a lease in the past). */
async function strandTask(id: number): Promise<void> {
  const key = taskKey('export', id);
  await stack.aws.dynamo.send(
    new UpdateItemCommand({
      TableName: stack.cfg.tableName,
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
      UpdateExpression: 'SET #o = :ghost, leaseUntil = :past',
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: { ':ghost': { S: 'a-worker-that-died' }, ':past': { N: String(Date.now() - 1000) } },
    }),
  );
}

async function changeSeqOf(id: number): Promise<number | undefined> {
  const seq = (await taskItem(stack, 'export', id))?.changeSeq?.N;
  return seq === undefined ? undefined : Number(seq);
}

describe('GET /api/v1/export/progress', () => {
  it('answers with nothing when its bound ends and nothing runs', async () => {
    // Act
    const started = Date.now();
    const response = await call(stack.url, 'GET', '/api/v1/export/progress');
    const elapsed = Date.now() - started;
    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(POLL_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(POLL_SECONDS * 1000 + 1500);
    expect(response.headers.get('x-stevedore-cursor')).toMatch(/^\d+$/);
  });

  it('answers within a second of an export starting to run, with that task running', async () => {
    // Prepare: a poll waiting before the export starts
    const poll = call(stack.url, 'GET', '/api/v1/export/progress').then((r) => ({ ...r, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 200));
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky.tgz' });
    // Watch the table for the task's first change (its claim), as precisely as we can from outside.
    let firstChangeAt: number | undefined;
    while (firstChangeAt === undefined) {
      if ((await changeSeqOf(created.body.id)) !== undefined) firstChangeAt = Date.now();
      else await new Promise((r) => setTimeout(r, 20));
    }
    // Act
    const answer = await poll;
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.at - firstChangeAt).toBeLessThan(1000);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ id: created.body.id, state: 'running', cid: 'bulky', path: '/test/bulky.tgz' });
    expect(answer.body[0].progress).toBeGreaterThanOrEqual(0);
    expect(answer.body[0].progress).toBeLessThanOrEqual(99);
    expect(answer.body[0]).toHaveProperty('start');
    expect(answer.body[0]).not.toHaveProperty('end');
    await waitForTask(stack.url, 'export', created.body.id, 60_000);
  });

  it('hands back a change that landed between two polls of a client that sends its cursor', async () => {
    // Prepare: a first poll gives the cursor, then progress moves while no poll is open
    const first = await call(stack.url, 'GET', '/api/v1/export/progress');
    const cursor = first.headers.get('x-stevedore-cursor');
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky2.tgz' });
    while ((await changeSeqOf(created.body.id)) === undefined) await new Promise((r) => setTimeout(r, 20));
    // Act
    const started = Date.now();
    const second = await call(stack.url, 'GET', `/api/v1/export/progress?cursor=${cursor}`);
    // Assess
    expect(Date.now() - started).toBeLessThan(1000);
    expect(second.body.map((t: { id: number }) => t.id)).toContain(created.body.id);
    expect(Number(second.headers.get('x-stevedore-cursor'))).toBeGreaterThan(Number(cursor));
    await waitForTask(stack.url, 'export', created.body.id, 60_000);
  });

  it('stops re-checking the table for a client that hung up', async () => {
    // Prepare: count the change-counter reads the server makes
    let reads = 0;
    const stopCounting = stack.aws.doc.watch(({ operation }) => {
      if (operation === 'GetItem') reads++;
    });
    const client = new AbortController();
    // Act: a poll that the client abandons after half a second
    const poll = fetch(`${stack.url}/api/v1/export/progress`, { signal: client.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    client.abort();
    await poll;
    await new Promise((r) => setTimeout(r, 200));
    const afterHangUp = reads;
    await new Promise((r) => setTimeout(r, 1000));
    stopCounting();
    // Assess: it was re-checking (every 100 ms) and stopped when the client left
    expect(afterHangUp).toBeGreaterThanOrEqual(3);
    expect(reads).toBe(afterHangUp);
  });

  it('adds the bytes read and the source\'s size to running tasks for clients that ask, and only for them', async () => {
    // Prepare: an export held running just before its end
    const stall = stack.faults!.stallEnd('bulky');
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky-bytes.tar' });
    await stall.reached;
    await new Promise((r) => setTimeout(r, 600)); // the reporter writes at most every 500 ms
    try {
      // Act
      const plain = await call(stack.url, 'GET', '/api/v1/export/');
      const withBytes = await call(stack.url, 'GET', '/api/v1/export/?include=bytes');
      const polled = await call(stack.url, 'GET', '/api/v1/export/progress?include=bytes&cursor=0');
      // Assess
      const original = plain.body.find((t: ApiTask) => t.id === created.body.id);
      expect(Object.keys(original).sort()).toEqual(['cid', 'cname', 'compress', 'id', 'init', 'path', 'progress', 'start', 'state', 'type', 'user']);
      for (const answer of [withBytes, polled]) {
        const task = answer.body.find((t: ApiTask) => t.id === created.body.id);
        expect(task).toMatchObject({ state: 'running', bytes_total: expect.any(Number), bytes_done: expect.any(Number) });
        expect(task.bytes_total).toBeGreaterThanOrEqual(48 * 1024 * 1024);
        expect(task.bytes_done).toBeLessThanOrEqual(task.bytes_total);
        expect(Math.min(99, Math.floor((task.bytes_done * 100) / task.bytes_total))).toBe(task.progress); // never 100 while running
      }
    } finally {
      stall.release();
    }
    expect((await waitForTask(stack.url, 'export', created.body.id, 60_000)).state).toBe('completed');
  });

  it('refuses to include a field it does not know, naming what it can include', async () => {
    for (const path of ['/api/v1/export/?include=size', '/api/v1/import/progress?include=bytes,speed']) {
      const response = await call(stack.url, 'GET', path);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 400, message: expect.stringContaining('"include" may name only bytes') });
    }
  });

  it('refuses a cursor that is not a number', async () => {
    const response = await call(stack.url, 'GET', '/api/v1/export/progress?cursor=soon');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(400);
  });

  it('is served under the alias prefixes too, with nothing for import', async () => {
    const response = await call(stack.url, 'GET', '/container-station/api/v1/import/progress');
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });
});

describe('GET /api/v1/export/progress follows a task to its end', () => {
  it('answers a poll opened before a short export with the task, and the next polls until it completed', async () => {
    // Prepare
    const first = await openPoll();
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/small/export', { path: 'test/small.tar' });
    // Act
    const bodies = await followTask(created.body.id, first.answer);
    // Assess: no poll sat out its bound while the task changed or had already ended
    for (const body of bodies) expect(body.map((t) => t.id)).toEqual([created.body.id]);
    const last = bodies.at(-1)![0]!;
    expect(last).toMatchObject({ id: created.body.id, state: 'completed', result: 0, path: '/test/small.tar' });
    expect(last).toHaveProperty('end');
    expect(last).not.toHaveProperty('progress');
  });

  it('reports an export that aborts in its final state, with its error', async () => {
    // Prepare
    const first = await openPoll();
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/broken/export', { path: 'test/broken.tar' });
    // Act
    const bodies = await followTask(created.body.id, first.answer);
    // Assess
    for (const body of bodies) expect(body.map((t) => t.id)).toEqual([created.body.id]);
    const last = bodies.at(-1)![0]!;
    expect(last).toMatchObject({ id: created.body.id, state: 'aborted', result: 1 });
    expect(last.error).toMatch(/truncated|unexpected end|premature/i);
    expect(last).toHaveProperty('end');
  });

  it('answers a poll that waits while a running task ends, with the task in its final state', async () => {
    // Prepare: a running export whose worker is gone, so that only its end can change it
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/ends.tgz' });
    while ((await changeSeqOf(created.body.id)) === undefined) await new Promise((r) => setTimeout(r, 20));
    await strandTask(created.body.id);
    await new Promise((r) => setTimeout(r, 1200)); // the worker's next progress write finds the task taken
    const waiting = await openPoll();
    // Act: the sweep ends the task while the poll waits
    expect((await sweepStaleTasks(stack.services)).map((t) => t.id)).toEqual([created.body.id]);
    const answer = await waiting.answer;
    // Assess
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ id: created.body.id, state: 'aborted', result: 1 });
    expect(answer.body[0]).toHaveProperty('end');
    expect(answer.body[0]?.error).toMatch(/stopped reporting/);
  });

  it('lets a client that sends the cursor back, even slowly, see a long export start, progress and end', async () => {
    // Prepare
    const first = await openPoll();
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/followed.tar' });
    // Act: the client does other work for a while between its polls
    const bodies = await followTask(created.body.id, first.answer, 700);
    // Assess
    for (const body of bodies) expect(body.map((t) => t.id)).toEqual([created.body.id]);
    const seen = bodies.map((body) => body[0]!);
    expect(seen[0]).toMatchObject({ state: 'running' });
    const progress = seen.filter((t) => t.state === 'running').map((t) => t.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ state: 'completed', result: 0 });
  });

  it('leaves out tasks that ended before the poll started', async () => {
    // Prepare: every task above ended
    for (const task of (await call(stack.url, 'GET', '/api/v1/export/')).body) await waitForTask(stack.url, 'export', task.id, 60_000);
    // Act
    const answer = await poll();
    // Assess
    expect(answer.body).toEqual([]);
  });
});

describe('stale tasks', () => {
  it('aborts a running task whose worker stopped renewing its lease, with a message', async () => {
    // Prepare: an export that runs, then pretend its worker died long ago
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/stale.tgz' });
    while ((await changeSeqOf(created.body.id)) === undefined) await new Promise((r) => setTimeout(r, 20));
    await strandTask(created.body.id);
    // Act
    const swept = await sweepStaleTasks(stack.services);
    // Assess
    expect(swept.map((t) => t.id)).toContain(created.body.id);
    const task = await waitForTask(stack.url, 'export', created.body.id);
    expect(task).toMatchObject({ state: 'aborted', result: 1 });
    expect(task.error).toMatch(/stopped reporting/);
    expect(task).not.toHaveProperty('progress');
    // The real worker finds the task taken away and stops; the path is free again.
    await new Promise((r) => setTimeout(r, 1500));
    const again = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/stale.tgz', force: true });
    expect(again.status).toBe(200);
    await waitForTask(stack.url, 'export', again.body.id, 60_000);
  });

  it('leaves running tasks with a live lease alone', async () => {
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/alive.tgz' });
    while ((await changeSeqOf(created.body.id)) === undefined) await new Promise((r) => setTimeout(r, 20));
    expect((await sweepStaleTasks(stack.services)).map((t) => t.id)).not.toContain(created.body.id);
    expect((await waitForTask(stack.url, 'export', created.body.id, 60_000)).state).toBe('completed');
  });
});
