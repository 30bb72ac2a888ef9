// `GET .../progress`: a long poll built as bounded re-checks of the table. Each re-check
// reads one item (the kind's change counter), however many tasks exist; only when it moved
// are the tasks that changed read, from the table's index of tasks by their last change
// (lib/aws/table.ts), so that a wake costs what changed, not every task the table still holds
// (finished ones stay 30 days). The poll answers with the tasks that changed while it waited, in their
// current state: started running, progressed, or ended (completed/aborted, so that a client
// following progress knows to stop). When its bound ends without a change it answers nothing.
//
// Every change bumps the counter before it writes the task, so the counter can run ahead of
// the writes it counts, and they can land out of order (a finish is a slower transaction than
// a progress write). When every counted change is among the tasks read (a task read carries
// its previous change too, which the last one overwrote), the poll answers at once. Otherwise
// (a write still landing, or a change overwritten twice over) it looks again an eighth of an
// interval later, when the write has usually landed, and failing that gives the writes one
// interval to land and answers then, with that counter value as its cursor: a change counted
// later but landed earlier may be in this answer and again in the next, but none is skipped.
// The index may lag the table too, so before the cursor passes counted changes it has not
// shown, the tasks are read from the table itself, once. A counted change that wrote nothing
// (a claim another delivery won, a write of a worker that lost its task) ends no poll.
//
// A cursor makes sure a change that lands between two polls of one client is not lost: the
// response carries the change-counter value it saw (header `X-Stevedore-Cursor`) and the
// next poll may send it back (`?cursor=N`), getting every change after it at once. Without a
// cursor a poll waits for changes after it started, as the original API did. Tasks that ended
// before the poll's cursor are never answered again.
//
// Re-checks are shared by every poll of the kind waiting in the process (./change-watch.ts):
// one counter read per interval, and one task query when it moved, whatever the number of
// polls; a poll's first check may use a value read less than an interval before it began.
import { LONG_POLL_HEADROOM_SECONDS } from '../config.ts';
import { changeWatchOf, type Recheck } from './change-watch.ts';
import type { TaskKind, TaskRecord } from './model.ts';
import type { TaskStore } from './task-store.ts';

export const CURSOR_HEADER = 'X-Stevedore-Cursor';

/**
 * How long past its bound a poll's last look may take: half the headroom a long-poll function
 * has before API Gateway's 29 s limit, so that a hung table read (up to the 5 s idle timeout)
 * cannot turn a poll of the longest bound into the gateway's 504.
 */
export const LAST_LOOK_MS = (LONG_POLL_HEADROOM_SECONDS * 1000) / 2;

export interface PollOptions {
  cursor?: number;
  boundMs: number;
  intervalMs: number;
  signal?: AbortSignal;
}

export interface PollResult {
  tasks: TaskRecord[];
  cursor: number;
}

/** A counter value seen ahead of the cursor, whose task writes are given time to land. */
interface Landing {
  counter: number;
  /** When the read that saw it started. */
  seenAt: number;
}

export async function pollProgress(store: TaskStore, kind: TaskKind, options: PollOptions): Promise<PollResult> {
  const deadline = Date.now() + options.boundMs;
  const watch = changeWatchOf(store, kind, options.intervalMs);
  let since = options.cursor ?? (await watch.reading(options.intervalMs)).value;
  // The first check: the counter (shared if fresh), and the tasks only when it is ahead.
  const first = await watch.reading(options.intervalMs);
  let check: Recheck | undefined = first;
  if (first.value > since) check = { ...first, changed: await watch.changedSince(since, first.readAt) };
  let landing: Landing | undefined;
  while (check && !options.signal?.aborted) {
    const left = deadline - Date.now();
    if (check.value > since) {
      let changed = check.changed ?? [];
      let covered = coveredUpTo(since, changed);
      // Settled: a whole interval passed since the landing was seen (the last check before the bound may come sooner).
      const settled = landing !== undefined && check.readAt - landing.seenAt >= options.intervalMs;
      if (settled && covered < landing!.counter) {
        // The cursor is about to pass changes the index has not shown: it may only lag the table.
        // What has landed by now is read from the table itself, once per landing.
        changed = await watch.changedSince(since, check.readAt, 'consistent');
        covered = coveredUpTo(since, changed);
      }
      const landed = settled ? landing!.counter : since;
      // At the bound, changes still landing are answered rather than left for an empty answer.
      if (changed.length > 0 && (covered >= check.value || settled || left <= 0)) {
        return { tasks: changed, cursor: Math.max(covered, landed) };
      }
      if (changed.length === 0) since = landed; // counted changes that wrote nothing
    }
    if (left <= 0) break;
    if (check.value <= since) landing = undefined;
    else if (!landing || landing.counter !== check.value) landing = { counter: check.value, seenAt: check.readAt };
    check = await watch.nextRecheck(since, deadline, options.signal, landing?.counter);
    if (!check && !options.signal?.aborted) {
      // The bound came between two ticks: one last look of the poll's own, which a table that
      // stopped answering must not hold past the time the answer is due.
      const answerDue = deadline + LAST_LOOK_MS;
      const last = await unlessLaterThan(watch.reading(0), answerDue);
      if (!last) break;
      const changed = last.value > since ? await unlessLaterThan(watch.changedSince(since, last.readAt), answerDue) : undefined;
      check = changed ? { ...last, changed } : last;
    }
  }
  return { tasks: [], cursor: since };
}

/**
 * `promise`'s value, or undefined if `at` (a time) comes first. A poll whose last look outlives
 * it answers that nothing changed, with the cursor it had: the client's next poll misses nothing.
 */
function unlessLaterThan<T>(promise: Promise<T>, at: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, at - Date.now()))));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The highest counter value up to which every counted change is among `tasks` (a task read holds its previous change too). */
function coveredUpTo(since: number, tasks: TaskRecord[]): number {
  const seqs = new Set(tasks.flatMap((t) => [t.changeSeq, t.prevChangeSeq]));
  let covered = since;
  while (seqs.has(covered + 1)) covered++;
  return covered;
}
