// Long-poll load: 200 clients follow one running export through the progress long poll at
// once, each sending back its cursor as a progress view does. Every poll answers within its
// bound (the poll's own limit plus the headroom a function has to send its answer), every
// client sees the export end, and the table reads stay those of one poll: one change-counter
// read per re-check interval, and a task query only when the counter moved, however many polls
// wait. The wake latency itself is measured by `npm run bench:long-poll`, not here.
import { beforeAll, describe, expect, it } from 'vitest';
import { countPollReads } from '../../lib/aws/command-log.ts';
import { LONG_POLL_HEADROOM_SECONDS } from '../../lib/config.ts';
import { call, waitForTask, type ApiResponse } from '../support/api.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';
import { taskItem } from '../support/task-items.ts';

const CLIENTS = 200;
const POLL_SECONDS = 3;
const stack = useTestStack({ STEVEDORE_POLL_SECONDS: String(POLL_SECONDS) }, { worker: true });

beforeAll(async () => {
  await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(16, 1024 * 1024));
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'bulky', image: 'bulky', tag: 'latest' })).status).toBe(200);
});

interface Answer {
  status: number;
  ms: number;
  states: string[];
}

const isFinished = (state: string | undefined) => state === 'completed' || state === 'aborted';

/** One client following task `id` poll after poll, with its cursor, until an answer shows it ended (or 90 s). */
async function follow(id: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  const giveUpAt = Date.now() + 90_000;
  let cursor: string | null = null;
  while (Date.now() < giveUpAt) {
    const sent = performance.now();
    const response: ApiResponse = await call(stack.url, 'GET', `/api/v1/export/progress${cursor ? `?cursor=${cursor}` : ''}`);
    const task = Array.isArray(response.body) ? response.body.find((t: { id: number }) => t.id === id) : undefined;
    answers.push({ status: response.status, ms: performance.now() - sent, states: task ? [task.state] : [] });
    cursor = response.headers.get('x-stevedore-cursor');
    if (response.status !== 200 || isFinished(task?.state)) break;
  }
  return answers;
}

describe('GET /api/v1/export/progress under load', () => {
  it(`answers ${CLIENTS} concurrent polls during an export within their bound, with the table reads of one`, async () => {
    // Prepare: an export that is running
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/load.tgz' });
    expect(created.status).toBe(200);
    while ((await taskItem(stack, 'export', created.body.id))?.changeSeq === undefined) await new Promise((r) => setTimeout(r, 20));
    const reads = countPollReads(stack.aws.dynamo, 'export');
    const started = performance.now();
    // Act
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => follow(created.body.id)));
    const windowMs = performance.now() - started;
    reads.stop();
    // Assess: every poll answered, within its bound, and every client saw the export end
    const answers = clients.flat();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.ms > (POLL_SECONDS + LONG_POLL_HEADROOM_SECONDS) * 1000)).toEqual([]);
    expect(clients.filter((c) => !isFinished(c.at(-1)?.states[0]))).toEqual([]);
    expect((await waitForTask(stack.url, 'export', created.body.id)).state).toBe('completed');
    // The table reads: at most one counter read per interval (plus the few of polls whose bound
    // ended between two re-checks), where polls that each read for themselves would make one per
    // poll; and a task query only after the counter moved.
    const intervals = Math.ceil(windowMs / stack.cfg.pollIntervalMs) + 1;
    expect(answers.length, 'every client polled more than once').toBeGreaterThan(CLIENTS);
    expect(reads.counts.counterReads).toBeGreaterThan(0);
    expect(reads.counts.counterReads).toBeLessThanOrEqual(intervals + 5);
    expect(reads.counts.taskQueries).toBeLessThanOrEqual(reads.counts.counterReads);
  }, 120_000); // a loaded machine may take long over even a small export
});
