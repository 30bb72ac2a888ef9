// The event log's records and how a client reads them (COMPAT.md "Events"): each event is one
// string, "<category>:<user>:<epoch>:<json>", the JSON written the way the original server's
// Python wrote it (`", "` and `": "` between items), keys sorted so that the same event always
// reads the same.
import type { ContainerType } from '../container-type.ts';
import type { TaskRecord } from '../tasks/model.ts';

export type EventCategory = 'export' | 'import' | 'container';

/** What a container event says happened to the container. */
export type ContainerChange = 'create' | 'destroy';

export type EventPayload = Record<string, string | number | boolean>;

/** An event before the log numbered it. */
export interface NewEvent {
  category: EventCategory;
  user: string;
  /** Epoch seconds. */
  epoch: number;
  payload: EventPayload;
}

/** An event as the log keeps it: `seq` is its place in the log, 1 for the first, never reused. */
export interface LoggedEvent extends NewEvent {
  seq: number;
}

/** The event of a task's state change; `task` is the task as the change leaves it. */
export function taskEvent(task: TaskRecord, epoch: number): NewEvent {
  const payload: EventPayload = { type: task.type, container: task.cname, cid: task.cid, path: task.path, state: task.state, tid: task.id };
  if (task.kind === 'export') payload.compress = task.compress ?? false;
  if ((task.state === 'completed' || task.state === 'aborted') && task.result !== undefined) payload.result = task.result;
  return { category: task.kind, user: task.user, epoch, payload };
}

export function containerEvent(user: string, container: { name: string; type: ContainerType }, change: ContainerChange, epoch: number): NewEvent {
  return { category: 'container', user, epoch, payload: { container: container.name, type: container.type, state: change } };
}

/** The event as the API lists it. */
export function eventMessage(event: NewEvent): string {
  return `${event.category}:${event.user}:${event.epoch}:${pythonStyleJson(event.payload)}`;
}

/** A flat object as Python's json.dumps writes it by default, keys sorted. */
export function pythonStyleJson(payload: EventPayload): string {
  const items = Object.keys(payload)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${JSON.stringify(payload[key])}`);
  return `{${items.join(', ')}}`;
}
