// Which worker runs a task of which container type. Some containers live on a host's disk
// (`STEVEDORE_HOST_TYPES`), which a Lambda function cannot reach: their tasks are run by a host
// worker on that host (`npm run worker`), and every other worker leaves them alone. A worker's
// role is the program it is, never a setting: the host worker's command is the host role, the
// Lambda worker and `npm start`'s in-process worker are the stack's.
import { CONTAINER_TYPES } from '../config.ts';
import type { ContainerType } from '../container-type.ts';
import type { TaskKind } from '../tasks/model.ts';

export type WorkerRole = 'host' | 'stack';

/** The container types a worker of `role` runs, given the types placed on container hosts. */
export function typesRunBy(role: WorkerRole, hostTypes: readonly ContainerType[]): ContainerType[] {
  return role === 'host' ? [...hostTypes] : CONTAINER_TYPES.filter((type) => !hostTypes.includes(type));
}

/** What a client reads when a host type's task waited and no host worker took it. */
export function noHostWorkerMessage(type: ContainerType, kind: TaskKind, waitedMinutes: number): string {
  return (
    `No host worker for ${type} containers took this ${kind} within ${waitedMinutes} min; ` +
    `start stevedore-worker with STEVEDORE_HOST_TYPES=${type} on the container host, then start the ${kind} again`
  );
}
