// The last step of every export or import request, once its input is checked: an id from the
// kind's sequence, and the waiting task stored together with its reservation and what it uses
// (./in-use.ts). A reservation another unfinished task holds is refused.
import { InUse } from '../errors.ts';
import { epochSeconds, type TaskKind, type TaskRecord } from './model.ts';
import { ReservationTakenError, type Reservation, type TaskStore } from './task-store.ts';

/** Who a task belongs to when its request had no session (COMPAT.md: "Anonymous"). */
export const ANONYMOUS = 'Anonymous';

/** What a request decides about its task; the rest is the same for every task. */
export type TaskFields = Pick<TaskRecord, 'type' | 'cid' | 'cname' | 'path' | 'segments'> &
  Partial<Pick<TaskRecord, 'compress' | 'force' | 'image' | 'create_params' | 'user' | 'uses'>>;

export async function submitTask(tasks: TaskStore, kind: TaskKind, fields: TaskFields, reservation: Reservation): Promise<TaskRecord> {
  const id = await tasks.nextId(kind);
  const task: TaskRecord = { kind, id, state: 'waiting', user: ANONYMOUS, init: epochSeconds(), ...fields };
  try {
    await tasks.create(task, reservation);
  } catch (err) {
    if (err instanceof ReservationTakenError) throw new InUse(err.message);
    throw err;
  }
  return task;
}
