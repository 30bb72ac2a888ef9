// The worker's whole life of one task: claim it (a duplicate delivery finds it claimed and
// does nothing), run it with progress, and finish it as completed or aborted, never leaving
// it running. Its last writes outlast a short outage of the table (./persist.ts); other errors
// of the table propagate, so the stream delivery is retried.
import { randomUUID } from 'node:crypto';
import { logger } from '../log.ts';
import type { WorkerServices } from '../ports.ts';
import { RESULT_FAILED, RESULT_OK, type TaskRecord } from '../tasks/model.ts';
import { failureMessage } from './failure.ts';
import { heapKeeper } from './heap-keeper.ts';
import { persistently } from './persist.ts';
import { ProgressReporter } from './progress.ts';
import { runExport } from './run-export.ts';
import { runImport } from './run-import.ts';
import type { WorkerRole } from './placement.ts';

export type TaskRunner = (services: WorkerServices, task: TaskRecord, progress: ProgressReporter) => Promise<string[] | void>;

const runners: Record<TaskRecord['kind'], TaskRunner> = { export: runExport, import: runImport };

/** Where the worker runs: the host and its shutdown are absent in Lambda, whose timeout the sweep covers. */
export interface WorkerContext {
  /** Which container types it runs (./placement.ts): `host` only STEVEDORE_HOST_TYPES, `stack` (the default) every other. */
  role?: WorkerRole;
  /** The worker host: every task it claims gets an owner `<hostId>:<uuid>`, so a restart can find them. */
  hostId?: string;
  /** Aborted when the host stops, with the reason as a string ("stopped (SIGTERM)"): running work is cancelled. */
  shutdown?: AbortSignal;
}

/** Runs a waiting task. Answers false when the task was not ours to run. */
export async function runTask(services: WorkerServices, waiting: Pick<TaskRecord, 'kind' | 'id'>, context: WorkerContext = {}): Promise<boolean> {
  // A stopping host claims nothing more: the task stays waiting, and the next start delivers it again.
  if (context.shutdown?.aborted) return false;
  const store = services.tasks;
  const owner = context.hostId ? `${context.hostId}:${randomUUID()}` : randomUUID();
  const task = await store.claim(waiting.kind, waiting.id, owner);
  if (!task) {
    // Normal, not news: a duplicate delivery, or the local poller re-reading the stream from
    // its start after a restart (once per old task).
    logger.debug('task already claimed', { kind: waiting.kind, taskId: waiting.id });
    return false;
  }
  const progress = new ProgressReporter(store, task, owner, context.shutdown);
  const started = performance.now();
  logger.info('task started', { kind: task.kind, taskId: task.id, type: task.type, user: task.user });
  let warnings: string[] | void = undefined;
  let error: string | undefined;
  const releaseKeeper = heapKeeper().hold();
  try {
    warnings = await runners[task.kind](services, task, progress);
  } catch (err) {
    // Cancelled (the host stopping, the task taken over): whatever the cancelled step threw (an
    // SDK's "Request aborted"), the reason is what the client is told.
    error = failureMessage(progress.signal.aborted ? progress.signal.reason : err);
    logger.warn('task failed', { kind: task.kind, taskId: task.id, error: err as Error });
  } finally {
    releaseKeeper();
    await progress.stop();
  }
  const outcome = { state: error === undefined ? 'completed' : 'aborted', result: error === undefined ? RESULT_OK : RESULT_FAILED, error, warnings: warnings ?? undefined } as const;
  const finished = await persistently('writing the task\'s end', () => store.finish(task, owner, outcome), store.leaseMs);
  if (finished) logger.info('task finished', { kind: task.kind, taskId: task.id, state: error === undefined ? 'completed' : 'aborted', durationMs: Math.round(performance.now() - started) });
  else logger.warn('task was taken over before it finished', { kind: task.kind, taskId: task.id });
  await persistently('releasing what the task used', () => store.releaseUses(task), store.leaseMs);
  return true;
}
