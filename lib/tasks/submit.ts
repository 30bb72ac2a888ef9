// The last step of every export or import request, once its input is checked: an id from the
// kind's sequence, the waiting task stored together with its reservation and what it uses
// (lib/tasks/in-use.ts), and a reservation
// another unfinished task holds answered as a 400.
import { epochSeconds, type TaskKind, type TaskRecord } from './model.ts';
import { ReservationTakenError, taskKey, taskStore, type Reservation } from './store.ts';
import { InUse } from '../errors.ts';

/** Who a task belongs to while the API has no login (COMPAT.md: "Anonymous"). */
export const ANONYMOUS = 'Anonymous';

/** What a request decides about its task; the rest is the same for every task. */
export type TaskFields = Pick<TaskRecord, 'type' | 'cid' | 'cname' | 'path'> & Partial<Pick<TaskRecord, 'compress' | 'force' | 'image' | 'create_params' | 'user' | 'uses'>>;

export async function submitTask(kind: TaskKind, fields: TaskFields, reservation: Reservation): Promise<TaskRecord> {
  const store = taskStore();
  const id = await store.nextId(kind);
  const task: TaskRecord = {
    ...taskKey(kind, id),
    recordType: 'task',
    kind,
    id,
    state: 'waiting',
    user: ANONYMOUS,
    init: epochSeconds(),
    ...fields,
  };
  try {
    await store.create(task, reservation);
  } catch (err) {
    if (err instanceof ReservationTakenError) throw new InUse(err.message);
    throw err;
  }
  return task;
}
