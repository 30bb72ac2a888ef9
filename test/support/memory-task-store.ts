// The task store port in memory, for unit tests of the domain logic. Every state change is
// conditional exactly as in the DynamoDB adapter (lib/tasks/dynamo-task-store.ts), so that
// logic that relies on a claim, an owned write or the sweep's lease check can be tested here.
// Records are copied in and out: a caller's object never changes under it, as with a table.
// The claim and the end log the task's event with the change, as the table's transactions do.
import { taskEvent } from '../../lib/events/model.ts';
import type { PendingWrite } from '../../lib/share/share-storage.ts';
import { epochSeconds, RESULT_FAILED, type TaskKind, type TaskProgress, type TaskRecord, type TaskState } from '../../lib/tasks/model.ts';
import { ReservationTakenError, type Reservation, type TaskOutcome, type TaskStore } from '../../lib/tasks/task-store.ts';
import { MemoryEventLog } from './memory-event-log.ts';

interface UseMarker {
  resource: string;
  kind: TaskKind;
  id: number;
}

const taskId = (kind: TaskKind, id: number) => `${kind}#${id}`;
const markerId = (resource: string, task: Pick<TaskRecord, 'kind' | 'id'>) => `${resource}|${task.kind}#${task.id}`;
const isUnfinished = (task: TaskRecord) => task.state === 'waiting' || task.state === 'running';
const copy = (task: TaskRecord): TaskRecord => structuredClone(task);

export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly counters = new Map<string, number>();
  private readonly reservations = new Map<string, { kind: TaskKind; id: number }>();
  private readonly markers = new Map<string, UseMarker>();

  constructor(
    readonly leaseMs = 120_000,
    readonly events = new MemoryEventLog(),
  ) {}

  async nextId(kind: TaskKind): Promise<number> {
    return this.increment(`task#${kind}`);
  }

  async create(task: TaskRecord, reservation?: Reservation): Promise<void> {
    if (this.tasks.has(taskId(task.kind, task.id))) throw new Error(`task ${task.kind} ${task.id} exists`);
    if (reservation && this.reservations.has(reservation.key)) throw new ReservationTakenError(reservation.takenMessage);
    this.tasks.set(taskId(task.kind, task.id), copy({ ...task, reservation: reservation?.key }));
    if (reservation) this.reservations.set(reservation.key, { kind: task.kind, id: task.id });
    for (const resource of task.uses ?? []) this.markers.set(markerId(resource, task), { resource, kind: task.kind, id: task.id });
  }

  async get(kind: TaskKind, id: number): Promise<TaskRecord | undefined> {
    const task = this.tasks.get(taskId(kind, id));
    return task && copy(task);
  }

  async list(kind: TaskKind): Promise<TaskRecord[]> {
    return this.matching(kind, () => true);
  }

  async listInState(kind: TaskKind, state: TaskState): Promise<TaskRecord[]> {
    return this.matching(kind, (task) => task.state === state);
  }

  async runningOwnedBy(kind: TaskKind, ownerPrefix: string): Promise<TaskRecord[]> {
    return this.matching(kind, (task) => task.state === 'running' && (task.owner ?? '').startsWith(ownerPrefix));
  }

  async clearFinished(kind: TaskKind): Promise<number[]> {
    const finished = this.matching(kind, (task) => !isUnfinished(task)).map((task) => task.id);
    for (const id of finished) this.tasks.delete(taskId(kind, id));
    return finished.sort((a, b) => a - b);
  }

  async claim(kind: TaskKind, id: number, owner: string): Promise<TaskRecord | undefined> {
    const seq = this.bumpChangeCounter(kind);
    const task = this.tasks.get(taskId(kind, id));
    if (task?.state !== 'waiting') return undefined;
    const now = Date.now();
    Object.assign(task, { state: 'running', start: epochSeconds(now), progress: 0, owner, leaseUntil: now + this.leaseMs, changeSeq: seq, attempts: (task.attempts ?? 0) + 1 });
    await this.events.append(taskEvent(task, epochSeconds(now)));
    return copy(task);
  }

  async reportProgress(task: TaskRecord, owner: string, progress: TaskProgress): Promise<boolean> {
    const seq = this.bumpChangeCounter(task.kind);
    const bytes = progress.bytes ? { bytesDone: progress.bytes.done, bytesTotal: progress.bytes.total } : {};
    const prevChangeSeq = this.tasks.get(taskId(task.kind, task.id))?.changeSeq;
    return this.ownedUpdate(task, owner, { progress: progress.percent, ...bytes, prevChangeSeq, changeSeq: seq, leaseUntil: Date.now() + this.leaseMs });
  }

  async renewLease(task: TaskRecord, owner: string): Promise<boolean> {
    return this.ownedUpdate(task, owner, { leaseUntil: Date.now() + this.leaseMs });
  }

  async recordPendingWrite(task: TaskRecord, owner: string, write: PendingWrite): Promise<boolean> {
    return this.ownedUpdate(task, owner, { upload: { ...write } });
  }

  async finish(task: TaskRecord, owner: string | undefined, outcome: TaskOutcome): Promise<boolean> {
    const seq = this.bumpChangeCounter(task.kind);
    const stored = this.tasks.get(taskId(task.kind, task.id));
    if (stored?.state !== 'running') return false;
    // The sweep (no owner) wins only if nobody renewed the lease since it looked.
    if (owner !== undefined ? stored.owner !== owner : stored.leaseUntil !== task.leaseUntil) return false;
    // The reservation goes in the same transaction, which fails whole if another task holds it.
    const holder = task.reservation === undefined ? undefined : this.reservations.get(task.reservation);
    if (holder && (holder.kind !== task.kind || holder.id !== task.id)) return false;
    // No expiresAt: expiry is the table's TTL, which nothing in memory plays.
    Object.assign(stored, { state: outcome.state, end: epochSeconds(), result: outcome.result, prevChangeSeq: stored.changeSeq, changeSeq: seq });
    if (outcome.error !== undefined) stored.error = outcome.error;
    if (outcome.warnings && outcome.warnings.length > 0) stored.warnings = [...outcome.warnings];
    delete stored.progress;
    delete stored.owner;
    delete stored.leaseUntil;
    if (holder) this.reservations.delete(task.reservation!);
    await this.events.append(taskEvent(stored, epochSeconds()));
    return true;
  }

  async abortWaiting(task: TaskRecord, error: string): Promise<boolean> {
    const seq = this.bumpChangeCounter(task.kind);
    const stored = this.tasks.get(taskId(task.kind, task.id));
    if (stored?.state !== 'waiting') return false;
    const holder = task.reservation === undefined ? undefined : this.reservations.get(task.reservation);
    if (holder && (holder.kind !== task.kind || holder.id !== task.id)) return false;
    const now = epochSeconds();
    Object.assign(stored, { state: 'aborted', start: now, end: now, result: RESULT_FAILED, error, changeSeq: seq });
    if (holder) this.reservations.delete(task.reservation!);
    await this.events.append(taskEvent(stored, now));
    return true;
  }

  async unfinishedTasksUsing(resource: string): Promise<TaskRecord[]> {
    return this.unfinishedUsers((used) => used === resource);
  }

  async unfinishedTasksUsingAnyUnder(prefix: string): Promise<TaskRecord[]> {
    return this.unfinishedUsers((used) => used.startsWith(prefix));
  }

  async reservationHolder(key: string): Promise<TaskRecord | undefined> {
    const holder = this.reservations.get(key);
    const task = holder && this.tasks.get(taskId(holder.kind, holder.id));
    return task && isUnfinished(task) ? copy(task) : undefined;
  }

  async releaseUses(task: Pick<TaskRecord, 'kind' | 'id' | 'uses'>, uses: readonly string[] = task.uses ?? []): Promise<void> {
    for (const resource of uses) this.markers.delete(markerId(resource, task));
  }

  async changeCounter(kind: TaskKind): Promise<number> {
    return this.counters.get(`changes#${kind}`) ?? 0;
  }

  /** No index here: both reads see every change at once (test/unit/long-poll.test.ts makes one lag). */
  async changedSince(kind: TaskKind, since: number, _options?: { consistent?: boolean }): Promise<TaskRecord[]> {
    return this.matching(kind, (task) => task.state !== 'waiting' && (task.changeSeq ?? 0) > since);
  }

  /** The resources whose use markers remain, for tests that check a task released them. */
  usesHeld(): string[] {
    return [...this.markers.values()].map((marker) => marker.resource).sort();
  }

  /** The reservation keys held, for tests that check a task released its own. */
  reservationsHeld(): string[] {
    return [...this.reservations.keys()].sort();
  }

  /** Moves a stored task as a test needs (a lease in the past, a ghost owner), with no condition. */
  tamper(kind: TaskKind, id: number, changes: Partial<TaskRecord>): void {
    const task = this.tasks.get(taskId(kind, id));
    if (!task) throw new Error(`no ${kind} task ${id}`);
    Object.assign(task, structuredClone(changes));
  }

  private matching(kind: TaskKind, keep: (task: TaskRecord) => boolean): TaskRecord[] {
    return [...this.tasks.values()].filter((task) => task.kind === kind && keep(task)).sort((a, b) => b.id - a.id).map(copy);
  }

  private unfinishedUsers(matches: (resource: string) => boolean): TaskRecord[] {
    const users: TaskRecord[] = [];
    for (const [id, marker] of this.markers) {
      if (!matches(marker.resource)) continue;
      const task = this.tasks.get(taskId(marker.kind, marker.id));
      if (task && isUnfinished(task)) users.push(copy(task));
      else this.markers.delete(id); // stale, as the DynamoDB adapter drops it when met
    }
    return users;
  }

  private ownedUpdate(task: TaskRecord, owner: string, changes: Partial<TaskRecord>): boolean {
    const stored = this.tasks.get(taskId(task.kind, task.id));
    if (stored?.state !== 'running' || stored.owner !== owner) return false;
    Object.assign(stored, changes);
    return true;
  }

  private bumpChangeCounter(kind: TaskKind): number {
    return this.increment(`changes#${kind}`);
  }

  private increment(counter: string): number {
    const value = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, value);
    return value;
  }
}
