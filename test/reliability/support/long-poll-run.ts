// The long-poll load: many clients follow one running export through the progress long poll at
// once, each sending back its cursor as a progress view does. What must hold: every poll answers
// 200 within its bound (the poll's own limit plus the headroom a function has to send its
// answer), every client sees the export end, the export completes, and the table reads stay
// those of one poll: one change-counter read per re-check interval, and a task query only when
// the counter moved, however many polls wait. Nothing here uses vitest, so the soak runs it too.
import { countPollReads } from '../../../lib/aws/command-log.ts';
import { LONG_POLL_HEADROOM_SECONDS } from '../../../lib/config.ts';
import { call, waitForTask, type ApiResponse } from '../../support/api.ts';
import { incompressibleRootfs } from '../../support/rootfs.ts';
import type { TestStack } from '../../support/stack-start.ts';
import { taskItem } from '../../support/task-items.ts';

export interface LongPollOutcome {
  clients: number;
  /** Polls answered, over all clients. */
  answers: number;
  counterReads: number;
  taskQueries: number;
  problems: string[];
}

interface Answer {
  status: number;
  ms: number;
  states: string[];
}

/** The container the load exports: 16 MiB of incompressible files, so the export runs a while. */
export const LONG_POLL_CONTAINER = 'bulky';

export async function prepareLongPollSource(stack: TestStack): Promise<void> {
  await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(16, 1024 * 1024));
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: LONG_POLL_CONTAINER, image: 'bulky', tag: 'latest' });
  if (created.status !== 200) throw new Error(`the long poll's container was not made: ${created.status} ${JSON.stringify(created.body)}`);
}

const isFinished = (state: string | undefined) => state === 'completed' || state === 'aborted';

/** One client following task `id` poll after poll, with its cursor, until an answer shows it ended (or `giveUpMs`). */
async function follow(base: string, id: number, giveUpMs: number, onFirstAnswer: () => void): Promise<Answer[]> {
  const answers: Answer[] = [];
  const giveUpAt = Date.now() + giveUpMs;
  let cursor: string | null = null;
  while (Date.now() < giveUpAt) {
    const sent = performance.now();
    const response: ApiResponse = await call(base, 'GET', `/api/v1/export/progress${cursor ? `?cursor=${cursor}` : ''}`);
    const task = Array.isArray(response.body) ? response.body.find((t: { id: number }) => t.id === id) : undefined;
    answers.push({ status: response.status, ms: performance.now() - sent, states: task ? [task.state] : [] });
    if (answers.length === 1) onFirstAnswer();
    cursor = response.headers.get('x-stevedore-cursor');
    if (response.status !== 200 || isFinished(task?.state)) break;
  }
  return answers;
}

/** An export of the prepared container to `path`, followed by `clients` at once (the stack runs the worker). */
export async function runLongPollLoad(stack: TestStack, options: { clients: number; path: string; giveUpMs?: number }): Promise<LongPollOutcome> {
  const problems: string[] = [];
  // On a stack with faults the export holds its last bytes until every client has had an answer,
  // so that each one polls again however fast the machine runs the export.
  const stall = stack.faults?.stallEnd(LONG_POLL_CONTAINER);
  let firstAnswers = 0;
  const onFirstAnswer = () => {
    if (++firstAnswers === options.clients) void stall?.reached.then(() => stall.release());
  };
  const created = await call(stack.url, 'POST', `/api/v1/container/lxc/${LONG_POLL_CONTAINER}/export`, { path: options.path });
  if (created.status !== 200) return { clients: options.clients, answers: 0, counterReads: 0, taskQueries: 0, problems: [`the export answered ${created.status}: ${JSON.stringify(created.body)}`] };
  const id: number = created.body.id;
  // The load starts once the export runs (it has a change sequence).
  while ((await taskItem(stack, 'export', id))?.changeSeq === undefined) await new Promise((r) => setTimeout(r, 20));
  const reads = countPollReads(stack.aws.doc, 'export');
  const started = performance.now();
  const clients = await Promise.all(Array.from({ length: options.clients }, () => follow(stack.url, id, options.giveUpMs ?? 90_000, onFirstAnswer)));
  const windowMs = performance.now() - started;
  reads.stop();

  const answers = clients.flat();
  const boundMs = stack.cfg.pollBoundMs + LONG_POLL_HEADROOM_SECONDS * 1000;
  const refused = answers.filter((a) => a.status !== 200);
  if (refused.length > 0) problems.push(`${refused.length} poll(s) answered other than 200: ${JSON.stringify(refused.slice(0, 5))}`);
  const late = answers.filter((a) => a.ms > boundMs);
  if (late.length > 0) problems.push(`${late.length} poll(s) answered after their bound of ${boundMs} ms: ${JSON.stringify(late.slice(0, 5))}`);
  const unaware = clients.filter((c) => !isFinished(c.at(-1)?.states[0]));
  if (unaware.length > 0) problems.push(`${unaware.length} client(s) never saw the export end`);
  const task = await waitForTask(stack.url, 'export', id);
  if (task.state !== 'completed') problems.push(`the export ended ${task.state}: ${task.error ?? ''}`);
  if (answers.length <= options.clients) problems.push(`not every client polled more than once: ${answers.length} answers to ${options.clients} clients`);
  // At most one counter read per interval (plus the few of polls whose bound ended between two
  // re-checks), where polls that each read for themselves would make one per poll; and a task
  // query only after the counter moved.
  const intervals = Math.ceil(windowMs / stack.cfg.pollIntervalMs) + 1;
  const { counterReads, taskQueries } = reads.counts;
  if (counterReads === 0) problems.push('no change-counter read was made');
  if (counterReads > intervals + 5) problems.push(`${counterReads} change-counter reads in ${intervals} re-check intervals`);
  if (taskQueries > counterReads) problems.push(`${taskQueries} task queries for ${counterReads} change-counter reads`);
  return { clients: options.clients, answers: answers.length, counterReads, taskQueries, problems };
}
