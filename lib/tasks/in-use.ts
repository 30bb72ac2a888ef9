// What unfinished tasks read or write, so that nobody deletes it under them: an export's
// archive path and source container, an import's archive. A delete of any of these, or of a
// folder above them, is refused with a 400 naming the task until the task has finished. The
// worker re-checks before it writes (lib/worker/run-export.ts) for a delete that checked just
// before the task was submitted.
import type { ContainerType } from '../container/model.ts';
import { InUse } from '../errors.ts';
import type { RuntimeRegistry } from '../runtimes/registry.ts';
import type { Container } from '../runtimes/runtime.ts';
import type { SharePath } from '../share/paths.ts';
import type { TaskRecord } from './model.ts';
import type { TaskStore } from './task-store.ts';

/** A share path as a task records it: with its leading "/", like the task's `path`. */
export const apiPathOf = (path: Pick<SharePath, 'segments'>) => `/${path.segments.join('/')}`;
export const pathUse = (path: Pick<SharePath, 'segments'>) => `path:${apiPathOf(path)}`;
export const containerUse = (type: ContainerType, id: string) => `container:${type}/${id}`;
/** Held by an import until it finished creating the container of that name. */
export const containerNameReservation = (name: string) => `container-name:${name}`;

const describeUser = (task: TaskRecord) => `unfinished ${task.kind} task ${task.id}`;

export async function refuseFileDeleteInUse(tasks: TaskStore, path: SharePath): Promise<void> {
  const [user] = await tasks.unfinishedTasksUsing(pathUse(path));
  if (user) throw new InUse(`${path.display} is in use by ${describeUser(user)}; delete it once the task has finished`);
}

export async function refuseFolderDeleteInUse(tasks: TaskStore, path: SharePath): Promise<void> {
  const [user] = await tasks.unfinishedTasksUsingAnyUnder(`${pathUse(path)}/`);
  if (user) throw new InUse(`${path.display} is in use by ${describeUser(user)}; delete it once the task has finished`);
}

/** An unknown container is left to the removal itself to answer (404). Answers the container found. */
export async function refuseContainerRemovalInUse(tasks: TaskStore, runtimes: RuntimeRegistry, type: ContainerType, id: string): Promise<Container | undefined> {
  const container = await runtimes.find(type, id);
  if (!container) return undefined;
  const [user] = await tasks.unfinishedTasksUsing(containerUse(type, container.summary.id));
  const importer = user ?? (await tasks.reservationHolder(containerNameReservation(container.summary.name)));
  if (importer) throw new InUse(`Container ${container.summary.name} is in use by ${describeUser(importer)}; remove it once the task has finished`);
  return container;
}
