// Ending a task whose worker is gone or going: marked aborted with a message that tells the
// client to start it again, its reservation freed (so a re-export to the same path works at
// once), and its pending write abandoned so the storage keeps no orphan parts.
import { logger } from '../log.ts';
import type { Services } from '../ports.ts';
import { RESULT_FAILED, TASK_KINDS, type TaskKind, type TaskRecord } from '../tasks/model.ts';

/** Without the storage (the deployed sweep holds only the table) a pending write is left to the bucket's lifecycle rule. */
export type AbandonServices = Pick<Services, 'tasks'> & Partial<Pick<Services, 'storage'>>;

/** What a client reads when stevedore itself (not the task) ended a task: `why` is e.g. "stopped (SIGTERM)". */
export function interruptedMessage(why: string, kind: TaskKind): string {
  return `stevedore ${why} while this ${kind} ran; start it again`;
}

/**
 * Aborts a running task. `owner` is its claim (undefined: the sweep, conditional on the lease
 * it saw). False when the task had moved on meanwhile.
 */
export async function abandonTask({ tasks, storage }: AbandonServices, task: TaskRecord, owner: string | undefined, error: string): Promise<boolean> {
  const aborted = await tasks.finish(task, owner, { state: 'aborted', result: RESULT_FAILED, error });
  if (!aborted) return false;
  await tasks.releaseUses(task);
  if (task.upload) await storage?.abandonWrite(task.upload);
  return true;
}

/** Aborts a task still waiting, which no worker will run. False when a worker claimed it meanwhile. */
export async function abandonWaitingTask({ tasks }: AbandonServices, task: TaskRecord, error: string): Promise<boolean> {
  if (!(await tasks.abortWaiting(task, error))) return false;
  await tasks.releaseUses(task);
  return true;
}

/**
 * Aborts the running tasks of a worker that died without stopping (a SIGKILL), after removing
 * what their imports left in the runtimes (ContainerRuntime.removeAbandonedImports), with the
 * leftovers of earlier imports of any gone owner. In that order: a restart killed in between
 * finds the tasks still running and removes it then, while the other order would leave it
 * behind for good once the tasks had ended. `isGone` tells the claims of dead processes.
 */
export async function abandonTasksOfDeadWorker(
  services: AbandonServices & Pick<Services, 'runtimes'>,
  orphans: readonly TaskRecord[],
  isGone: (owner: string) => boolean,
  why: string,
): Promise<TaskRecord[]> {
  const unfinished = new Set(orphans.flatMap((task) => (task.kind === 'import' && task.owner ? [task.owner] : [])));
  try {
    const removed = await services.runtimes.removeAbandonedImports({ isGone, unfinished });
    if (removed.length > 0) logger.warn('leftovers of imports of a worker that ended without stopping removed', { removed });
  } catch (err) {
    // The tasks end anyway: a client waits for an answer, and a runtime that cannot be reached now keeps what it holds until it can.
    logger.warn('leftovers of imports of a worker that ended without stopping could not be removed', { error: err as Error });
  }
  const abandoned: TaskRecord[] = [];
  for (const task of orphans) {
    if (await abandonTask(services, task, task.owner, interruptedMessage(why, task.kind))) {
      logger.warn('task of a worker that ended without stopping aborted', { kind: task.kind, taskId: task.id, why });
      abandoned.push(task);
    }
  }
  return abandoned;
}

/** The running tasks of one worker host (owner ids `<hostId>:...`), of every kind. */
export async function runningTasksOfHost({ tasks }: Pick<Services, 'tasks'>, hostId: string): Promise<TaskRecord[]> {
  return (await Promise.all(TASK_KINDS.map((kind) => tasks.runningOwnedBy(kind, `${hostId}:`)))).flat();
}

/** Aborts every running task of one worker host (owner ids `<hostId>:...`). */
export async function abandonTasksOfHost(services: AbandonServices, hostId: string, why: string): Promise<TaskRecord[]> {
  const abandoned: TaskRecord[] = [];
  for (const kind of TASK_KINDS) {
    for (const task of await services.tasks.runningOwnedBy(kind, `${hostId}:`)) {
      if (await abandonTask(services, task, task.owner, interruptedMessage(why, kind))) {
        logger.warn('task of a stopped worker aborted', { kind, taskId: task.id, why });
        abandoned.push(task);
      }
    }
  }
  return abandoned;
}
