// The stale-task sweep: a running task whose lease ran out has lost its worker (a crashed
// process, a Lambda timeout). It is marked aborted with a message instead of staying
// `running` forever. The write is conditional on the lease the sweep saw, so a worker that
// renewed it in the meantime keeps its task. The task's pending write is abandoned with it.
import { logger } from '../log.ts';
import { TASK_KINDS, type TaskRecord } from '../tasks/model.ts';
import { abandonTask, type AbandonServices } from './abandon.ts';

export async function sweepStaleTasks(services: AbandonServices, now = Date.now()): Promise<TaskRecord[]> {
  const { tasks } = services;
  const swept: TaskRecord[] = [];
  for (const kind of TASK_KINDS) {
    for (const task of await tasks.listInState(kind, 'running')) {
      if (task.leaseUntil === undefined || task.leaseUntil > now) continue;
      const silentFor = Math.round((now - task.leaseUntil + tasks.leaseMs) / 1000);
      const aborted = await abandonTask(services, task, undefined, `The worker stopped reporting for ${silentFor} s and the task was abandoned; start it again`);
      if (aborted) {
        logger.warn('stale task aborted', { kind, id: task.id });
        swept.push(task);
      }
    }
  }
  return swept;
}
