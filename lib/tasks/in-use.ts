// What unfinished tasks read or write, so that nobody deletes it under them: an export's
// archive path and source container, an import's archive. A delete of any of these, or of a
// folder above them, is refused with a 400 naming the task until the task has finished. The
// worker re-checks before it writes (lib/worker/run-export.ts) for a delete that checked just
// before the task was submitted.
import type { ContainerType } from '../runtimes/runtime.ts';
import { runtime } from '../runtimes/index.ts';
import type { SharePath } from '../share/paths.ts';
import type { TaskRecord } from './model.ts';
import { taskStore } from './store.ts';
import { InUse } from '../errors.ts';

/** A share path as a task records it: with its leading "/", like the task's `path`. */
export const pathUse = (apiPath: string) => `path:${apiPath}`;
export const containerUse = (type: ContainerType, id: string) => `container:${type}/${id}`;
/** Held by an import until it finished creating the container of that name. */
export const containerNameReservation = (name: string) => `container-name:${name}`;

const apiPathOf = (path: SharePath) => `/${path.segments.join('/')}`;

const describeUser = (task: TaskRecord) => `unfinished ${task.kind} task ${task.id}`;

export async function refuseFileDeleteInUse(path: SharePath): Promise<void> {
  const [user] = await taskStore().unfinishedTasksUsing(pathUse(apiPathOf(path)));
  if (user) throw new InUse(`${path.display} is in use by ${describeUser(user)}; delete it once the task has finished`);
}

export async function refuseFolderDeleteInUse(path: SharePath): Promise<void> {
  const [user] = await taskStore().unfinishedTasksUsingAnyUnder(pathUse(`${apiPathOf(path)}/`));
  if (user) throw new InUse(`${path.display} is in use by ${describeUser(user)}; delete it once the task has finished`);
}

/** An unknown container is left to the removal itself to answer (404). */
export async function refuseContainerRemovalInUse(type: ContainerType, id: string): Promise<void> {
  const container = await runtime().get(type, id);
  if (!container) return;
  const store = taskStore();
  const [user] = await store.unfinishedTasksUsing(containerUse(type, container.id));
  const importer = user ?? (await store.reservationHolder(containerNameReservation(container.name)));
  if (importer) throw new InUse(`Container ${container.name} is in use by ${describeUser(importer)}; remove it once the task has finished`);
}
