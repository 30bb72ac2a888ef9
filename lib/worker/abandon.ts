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
