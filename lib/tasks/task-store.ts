// The task store port: export and import tasks and what they hold while unfinished. Every
// state change is conditional, so that a duplicate stream delivery, a second worker or the
// stale-task sweep can never move a task twice. The DynamoDB adapter is
// ./dynamo-task-store.ts; an in-memory one serves the unit tests.
import type { PendingWrite } from '../share/share-storage.ts';
import type { TaskKind, TaskProgress, TaskRecord, TaskState } from './model.ts';

/** Something only one unfinished task may hold at a time (an archive path, a container name). */
export interface Reservation {
  key: string;
  /** What the client is told when another task holds it. */
  takenMessage: string;
}

export class ReservationTakenError extends Error {
  override name = 'ReservationTakenError';
}

export interface TaskOutcome {
  state: 'completed' | 'aborted';
  result: number;
  error?: string;
  warnings?: string[];
}

export interface TaskStore {
  /** How long a claim holds without a renewal, in milliseconds. */
  readonly leaseMs: number;

  /** The kind's next id, from an atomic sequence starting at 1. */
  nextId(kind: TaskKind): Promise<number>;
  /**
   * Stores a new waiting task with its reservation and what it uses, all or nothing. Throws
   * ReservationTakenError when another unfinished task holds the reservation.
   */
  create(task: TaskRecord, reservation?: Reservation): Promise<void>;
  get(kind: TaskKind, id: number): Promise<TaskRecord | undefined>;
  /** Newest first. */
  list(kind: TaskKind): Promise<TaskRecord[]>;
  listInState(kind: TaskKind, state: TaskState): Promise<TaskRecord[]>;
  /** Running tasks claimed by owners whose id starts with `ownerPrefix` (one worker host). */
  runningOwnedBy(kind: TaskKind, ownerPrefix: string): Promise<TaskRecord[]>;
  /** Deletes finished tasks; answers their ids, ascending. */
  clearFinished(kind: TaskKind): Promise<number[]>;

  /** waiting -> running under `owner`, with a lease. Undefined when someone claimed it first. */
  claim(kind: TaskKind, id: number, owner: string): Promise<TaskRecord | undefined>;
  /** Records progress and renews the lease. False when the task is no longer `owner`'s. */
  reportProgress(task: TaskRecord, owner: string, progress: TaskProgress): Promise<boolean>;
  /** Keeps the claim alive while progress does not move. False when the task is no longer `owner`'s. */
  renewLease(task: TaskRecord, owner: string): Promise<boolean>;
  /** Records the pending write of a running task. False when the task is no longer `owner`'s. */
  recordPendingWrite(task: TaskRecord, owner: string, write: PendingWrite): Promise<boolean>;
  /**
   * running -> completed/aborted, releasing the reservation with it. `owner` undefined is the
   * sweep's: it succeeds only if the lease is still the one the sweep saw. False when the task
   * had moved on.
   */
  finish(task: TaskRecord, owner: string | undefined, outcome: TaskOutcome): Promise<boolean>;
  /**
   * waiting -> aborted with `error`, for a task no worker will run (the sweep), releasing the
   * reservation with it. False when a worker claimed it meanwhile.
   */
  abortWaiting(task: TaskRecord, error: string): Promise<boolean>;

  /** Unfinished tasks that use exactly `resource`. */
  unfinishedTasksUsing(resource: string): Promise<TaskRecord[]>;
  /** Unfinished tasks that use anything whose name starts with `prefix` (everything in a folder). */
  unfinishedTasksUsingAnyUnder(prefix: string): Promise<TaskRecord[]>;
  /** The unfinished task that holds a reservation, if any. */
  reservationHolder(key: string): Promise<TaskRecord | undefined>;
  /** Drops a finished task's use markers (all of them, or the ones given). */
  releaseUses(task: Pick<TaskRecord, 'kind' | 'id' | 'uses'>, uses?: readonly string[]): Promise<void>;

  /**
   * The kind's change counter, which every change a long poll reports (claim, progress, end)
   * moves before it writes the task: one read, whatever the number of tasks.
   */
  changeCounter(kind: TaskKind): Promise<number>;
  /**
   * Running or finished tasks whose last change came after the counter value `since`. Read from
   * an index, at a cost that grows with the changes only; it may miss a change that has just
   * landed, or show a task as it was before it. `consistent` reads every change that has landed,
   * at a cost that grows with the kind's tasks, finished ones included.
   */
  changedSince(kind: TaskKind, since: number, options?: { consistent?: boolean }): Promise<TaskRecord[]>;
}
