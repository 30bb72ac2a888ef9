// The stale-task sweep: a running task whose lease ran out has lost its worker (a crashed
// process, a Lambda timeout). It is marked aborted with a message instead of staying
// `running` forever. The write is conditional on the lease the sweep saw, so a worker that
// renewed it in the meantime keeps its task. The task's pending write is abandoned with it.
//
// A waiting task is normally claimed within seconds, except one of a type placed on container
// hosts (STEVEDORE_HOST_TYPES), which waits for a host worker: one may be restarting, or busy
// with the task before it (a worker runs the tasks of a stream shard one after the other). So
// a host type's waiting task is left alone while any host type's task runs under a live lease
// (a host worker is at work, and reaches it in turn), and only once it has waited longer than
// the bound with no host worker at work is it aborted, with a message naming the missing host
// worker: nobody would ever run it. Waiting tasks of the stack's own types are never swept:
// `npm start` runs them after its next start.
import type { Config } from '../config.ts';
import { logger } from '../log.ts';
import { TASK_KINDS, type TaskRecord } from '../tasks/model.ts';
import { abandonTask, abandonWaitingTask, type AbandonServices } from './abandon.ts';
import { noHostWorkerMessage } from './placement.ts';

/** The types placed on container hosts, and how long their tasks may wait for a host worker. */
export type HostPlacement = Pick<Config, 'hostTypes' | 'hostWaitMs'>;

const NO_HOST_TYPES: HostPlacement = { hostTypes: [], hostWaitMs: 0 };

export async function sweepStaleTasks(services: AbandonServices, now = Date.now(), placement: HostPlacement = NO_HOST_TYPES): Promise<TaskRecord[]> {
  const { tasks } = services;
  const swept: TaskRecord[] = [];
  let hostWorkerAtWork = false;
  for (const kind of TASK_KINDS) {
    for (const task of await tasks.listInState(kind, 'running')) {
      if (task.leaseUntil === undefined || task.leaseUntil > now) {
        if (placement.hostTypes.includes(task.type)) hostWorkerAtWork = true;
        continue;
      }
      const silentFor = Math.round((now - task.leaseUntil + tasks.leaseMs) / 1000);
      const aborted = await abandonTask(services, task, undefined, `The worker stopped reporting for ${silentFor} s and the task was abandoned; start it again`);
      if (aborted) {
        logger.warn('stale task aborted', { kind, taskId: task.id });
        swept.push(task);
      }
    }
  }
  if (placement.hostTypes.length > 0 && !hostWorkerAtWork) swept.push(...(await sweepTasksNoHostWorkerTook(services, now, placement)));
  return swept;
}

async function sweepTasksNoHostWorkerTook(services: AbandonServices, now: number, { hostTypes, hostWaitMs }: HostPlacement): Promise<TaskRecord[]> {
  const swept: TaskRecord[] = [];
  const waitedMinutes = Math.round(hostWaitMs / 60_000);
  for (const kind of TASK_KINDS) {
    for (const task of await services.tasks.listInState(kind, 'waiting')) {
      // `init` is in epoch seconds.
      if (!hostTypes.includes(task.type) || task.init * 1000 + hostWaitMs > now) continue;
      if (await abandonWaitingTask(services, task, noHostWorkerMessage(task.type, kind, waitedMinutes))) {
        logger.warn('task no host worker took aborted', { kind, taskId: task.id, type: task.type });
        swept.push(task);
      }
    }
  }
  return swept;
}
