// One kind's change counter, re-read on one clock for every long poll waiting in this process.
// 200 polls on the local server (or a host) would otherwise read the counter 200 times per
// interval and, when it moves, query the tasks 200 times; here each interval costs one
// counter read, plus one task query when it moved, whatever the number of polls or tasks.
// On Lambda an instance serves one poll at a time, so it is one read per poll per interval.
//
// A poll checks at once with the latest value if it was read less than an interval ago (a
// value that old is what it would have seen at its next re-check anyway), and then waits for
// the ticks. A tick hands each waiting poll the counter and, when it is behind, the tasks that
// changed after its own starting point, filtered from one query from the lowest of them.
import type { TaskKind, TaskRecord } from './model.ts';
import type { TaskStore } from './task-store.ts';

/** The counter as one read saw it, and when that read started. */
export interface CounterReading {
  value: number;
  readAt: number;
}

export interface Recheck extends CounterReading {
  /** The tasks changed after the poll's `since`, present when the counter is ahead of it. */
  changed?: TaskRecord[];
}

/** One query of the tasks changed after `since`, started at `startedAt`. */
interface TaskQuery {
  since: number;
  startedAt: number;
  tasks: Promise<TaskRecord[]>;
}

interface Waiter {
  since: number;
  resolve(check: Recheck): void;
  reject(err: unknown): void;
}

export class ChangeWatch {
  private latest: CounterReading | undefined;
  private inFlight: Promise<CounterReading> | undefined;
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private lastTickAt = Number.NEGATIVE_INFINITY;
  /** The last query of the index, and the last consistent one (see changedSince). */
  private readonly lastQueries: { index?: TaskQuery; consistent?: TaskQuery } = {};
  /** The counter value a landing re-check was made for: one per value, so a change that never lands costs one. */
  private landingRechecked: number | undefined;
  /** When the regular tick that an extra landing tick came before is due. */
  private resumeAt: number | undefined;

  constructor(
    private readonly store: TaskStore,
    private readonly kind: TaskKind,
    readonly intervalMs: number,
  ) {}

  /** The counter read less than `maxAgeMs` ago (0: a read from now on), joining a read in flight. */
  async reading(maxAgeMs: number): Promise<CounterReading> {
    if (this.inFlight) return this.inFlight;
    if (this.latest && Date.now() - this.latest.readAt < maxAgeMs) return this.latest;
    const readAt = Date.now();
    this.inFlight = this.store.changeCounter(this.kind).then(
      (value) => {
        this.inFlight = undefined;
        if (!this.latest || readAt >= this.latest.readAt) this.latest = { value, readAt };
        return { value, readAt };
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }

  /**
   * The tasks changed after `since`, as a query started no earlier than `notBefore` (the start of
   * the counter read the caller acts on) sees them: the last query serves every caller whose
   * `since` is not below its own, so the polls woken by one change share one query. `consistent`
   * reads the table rather than its index (TaskStore.changedSince); the polls that settle on
   * one tick share that one too.
   */
  async changedSince(since: number, notBefore: number, consistency: 'index' | 'consistent' = 'index'): Promise<TaskRecord[]> {
    let query = this.lastQueries[consistency];
    if (!query || query.since > since || query.startedAt < notBefore) {
      const tasks = this.store.changedSince(this.kind, since, { consistent: consistency === 'consistent' });
      const started: TaskQuery = { since, startedAt: Date.now(), tasks };
      query = this.lastQueries[consistency] = started;
      tasks.catch(() => {
        if (this.lastQueries[consistency] === started) this.lastQueries[consistency] = undefined;
      });
    }
    const tasks = await query.tasks;
    return query.since === since ? tasks : tasks.filter((t) => (t.changeSeq ?? 0) > since);
  }

  /**
   * The next tick's re-check for a poll that has seen everything up to `since`; undefined
   * when `signal` aborts or `until` (a time) comes first. `landing`: a counter value the poll
   * saw whose write has not landed yet, which brings the next tick forward (once per value).
   */
  nextRecheck(since: number, until: number, signal?: AbortSignal, landing?: number): Promise<Recheck | undefined> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(giveUp);
        signal?.removeEventListener('abort', leave);
        this.waiters.delete(waiter);
        if (this.waiters.size === 0) this.stopTicking();
      };
      const leave = () => {
        done();
        resolve(undefined);
      };
      const waiter: Waiter = {
        since,
        resolve: (check) => {
          done();
          resolve(check);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      if (signal?.aborted) return resolve(undefined);
      const giveUp = setTimeout(leave, Math.max(0, until - Date.now()));
      signal?.addEventListener('abort', leave, { once: true });
      this.waiters.add(waiter);
      if (landing !== undefined && landing !== this.landingRechecked) this.recheckLandingSoon(landing);
      else this.startTicking();
    });
  }

  private startTicking(): void {
    if (this.timer) return;
    const at = this.resumeAt ?? this.nextRegularTickAt();
    this.resumeAt = undefined;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, at - Date.now()));
  }

  /** Keeps the clock of the last read, so that polls arriving at different times share ticks. */
  private nextRegularTickAt(): number {
    const last = Math.max(this.lastTickAt, this.latest?.readAt ?? Number.NEGATIVE_INFINITY);
    return Math.min(last + this.intervalMs, Date.now() + this.intervalMs);
  }

  /** An extra tick soon for a change still landing; the ticks after it keep their clock. */
  private recheckLandingSoon(counter: number): void {
    this.landingRechecked = counter;
    this.resumeAt ??= this.nextRegularTickAt();
    this.stopTicking();
    this.timer = setTimeout(() => void this.tick(), landingRecheckMs(this.intervalMs));
  }

  private stopTicking(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.lastTickAt = Date.now();
    const waiting = [...this.waiters];
    if (waiting.length === 0) return;
    try {
      const reading = await this.reading(0);
      const behind = waiting.filter((w) => w.since < reading.value);
      let changed: TaskRecord[] = [];
      const lowest = Math.min(...behind.map((w) => w.since));
      if (behind.length > 0) changed = await this.changedSince(lowest, reading.readAt);
      for (const waiter of waiting) {
        const check: Recheck = { ...reading };
        if (waiter.since < reading.value) check.changed = waiter.since === lowest ? changed : changed.filter((t) => (t.changeSeq ?? 0) > waiter.since);
        waiter.resolve(check);
      }
    } catch (err) {
      for (const waiter of waiting) waiter.reject(err);
    }
    if (this.waiters.size > 0) this.startTicking();
  }
}

const watches = new WeakMap<TaskStore, Map<string, ChangeWatch>>();

/** The watch every poll of `kind` on `store` in this process shares. */
export function changeWatchOf(store: TaskStore, kind: TaskKind, intervalMs: number): ChangeWatch {
  let byKind = watches.get(store);
  if (!byKind) watches.set(store, (byKind = new Map()));
  const key = `${kind}@${intervalMs}`;
  let watch = byKind.get(key);
  if (!watch) byKind.set(key, (watch = new ChangeWatch(store, kind, intervalMs)));
  return watch;
}

/**
 * How soon a change counted but not yet among the tasks is looked at again. Every change bumps
 * the counter one request before it writes the task, so a re-check falling between the two would
 * otherwise keep the polls waiting a whole interval for a write that lands milliseconds later.
 */
export function landingRecheckMs(intervalMs: number): number {
  return Math.max(10, Math.round(intervalMs / 8));
}
