// Who a host worker is, so that its restart can end what its killed predecessor left running.
// A host worker has no data dir of its own to record itself in (it may share npm start's, and
// several may run on one machine), so its identity is carried in the owner of every task it
// claims: `<hostname>-<pid>-<uuid>:<uuid>`. A starting host worker finds the running tasks owned
// by a host worker of its own machine whose process is gone (a SIGKILL, a crash) and aborts them
// at once, instead of after their lease. A pid that a live process took again leaves the task to
// the lease sweep, as before. What such a task's import left in a runtime (an engine's image
// and container, an LXC container directory, a built-in record and root filesystem object, all
// under the task's claim) is removed before the task is aborted (lib/worker/abandon.ts).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Services } from '../../lib/ports.ts';
import { isProcessAlive } from '../../lib/process-alive.ts';
import { TASK_KINDS, type TaskRecord } from '../../lib/tasks/model.ts';
import { abandonTasksOfDeadWorker, type AbandonServices } from '../../lib/worker/abandon.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** This process's host id: the owner prefix of the tasks it claims. */
export function newHostWorkerId(machine = hostname(), pid = process.pid): string {
  return `${machine}-${pid}-${randomUUID()}`;
}

/** Whether `owner` is a claim of a host worker on `machine` that no longer runs (and is not `self`). */
export function isClaimOfDeadHostWorker(owner: string | undefined, machine: string, self: string): boolean {
  if (!owner?.startsWith(`${machine}-`) || owner.startsWith(`${self}:`)) return false;
  const claim = new RegExp(`^(\\d+)-${UUID}:`).exec(owner.slice(machine.length + 1));
  if (!claim) return false;
  const pid = Number(claim[1]);
  // The same pid as this process: an earlier process of that number (a restarted container's pid 1).
  return pid === process.pid || !isProcessAlive(pid);
}

/**
 * Removes the staged leftovers of imports whose host worker is gone, with no task being aborted:
 * what an engine made after its client died, a staging directory, an object no record names.
 */
export async function removeLeftoversOfDeadHostWorkers({ runtimes }: Pick<Services, 'runtimes'>, self: string, machine = hostname()): Promise<string[]> {
  return runtimes.removeAbandonedImports({ isGone: (owner) => isClaimOfDeadHostWorker(owner, machine, self), unfinished: new Set() });
}

/** Aborts the running tasks of this machine's host workers that are gone; the tasks it aborted. */
export async function abandonTasksOfDeadHostWorkers(services: AbandonServices & Pick<Services, 'runtimes'>, self: string, machine = hostname()): Promise<TaskRecord[]> {
  const orphans: TaskRecord[] = [];
  for (const kind of TASK_KINDS) {
    for (const task of await services.tasks.listInState(kind, 'running')) if (isClaimOfDeadHostWorker(task.owner, machine, self)) orphans.push(task);
  }
  return abandonTasksOfDeadWorker(services, orphans, (owner) => isClaimOfDeadHostWorker(owner, machine, self), `host worker on ${machine} was restarted`);
}
