// The worker's whole life of one task: claim it (a duplicate delivery finds it claimed and
// does nothing), run it with progress, and finish it as completed or aborted, never leaving
// it running. Errors of the table itself propagate, so the stream delivery is retried.
import { randomUUID } from 'node:crypto';
import { logger } from '../log.ts';
import { RESULT_FAILED, RESULT_OK, type TaskRecord } from '../tasks/model.ts';
import { taskStore } from '../tasks/store.ts';
import { failureMessage } from './failure.ts';
import { ProgressReporter } from './progress.ts';
import { runExport } from './run-export.ts';
import { runImport } from './run-import.ts';

export type TaskRunner = (task: TaskRecord, progress: ProgressReporter) => Promise<string[] | void>;

const runners: Record<TaskRecord['kind'], TaskRunner> = { export: runExport, import: runImport };

/** Runs a waiting task. Answers false when the task was not ours to run. */
export async function runTask(waiting: Pick<TaskRecord, 'kind' | 'id'>): Promise<boolean> {
  const store = taskStore();
  const owner = randomUUID();
  const task = await store.claim(waiting.kind, waiting.id, owner);
  if (!task) {
    // Normal, not news: a duplicate delivery, or the local poller re-reading the stream from
    // its start after a restart (once per old task).
    logger.debug('task already claimed', { kind: waiting.kind, id: waiting.id });
    return false;
  }
  const progress = new ProgressReporter(store, task, owner);
  let warnings: string[] | void = undefined;
  let error: string | undefined;
  try {
    warnings = await runners[task.kind](task, progress);
  } catch (err) {
    error = failureMessage(err);
    logger.warn('task failed', { kind: task.kind, id: task.id, error: err as Error });
  } finally {
    await progress.stop();
  }
  const finished = await store.finish(task, owner, {
    state: error === undefined ? 'completed' : 'aborted',
    result: error === undefined ? RESULT_OK : RESULT_FAILED,
    error,
    warnings: warnings ?? undefined,
  });
  if (!finished) logger.warn('task was taken over before it finished', { kind: task.kind, id: task.id });
  return true;
}
