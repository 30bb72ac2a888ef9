// `GET .../progress`: a long poll built as bounded re-checks of the table. Each re-check
// reads one item (the kind's change counter), however many tasks exist; only when it moved
// are tasks read. The poll answers with the tasks that changed while it waited, in their
// current state: started running, progressed, or ended (completed/aborted, so that a client
// following progress knows to stop). When its bound ends without a change it answers nothing.
//
// Every change bumps the counter before it writes the task, so the counter can run ahead of
// the writes it counts, and they can land out of order (a finish is a slower transaction than
// a progress write). When every counted change is among the tasks read, the poll answers at
// once. Otherwise (a write still landing, or a change overwritten by a newer one of the same
// task) it gives the writes one interval to land and answers then, with that counter value as
// its cursor: a change counted later but landed earlier may be in this answer and again in
// the next, but none is skipped. A counted change that wrote nothing (a claim another
// delivery won, a write of a worker that lost its task) ends no poll.
//
// A cursor makes sure a change that lands between two polls of one client is not lost: the
// response carries the change-counter value it saw (header `X-Stevedore-Cursor`) and the
// next poll may send it back (`?cursor=N`), getting every change after it at once. Without a
// cursor a poll waits for changes after it started, as the original API did. Tasks that ended
// before the poll's cursor are never answered again.
import { sleep } from '../sleep.ts';
import type { TaskKind, TaskRecord } from './model.ts';
import type { TaskStore } from './task-store.ts';

export const CURSOR_HEADER = 'X-Stevedore-Cursor';

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
  /** Whether a whole interval passed since it was seen (the last one before the bound may be shorter). */
  settled: boolean;
}

export async function pollProgress(store: TaskStore, kind: TaskKind, options: PollOptions): Promise<PollResult> {
  const deadline = Date.now() + options.boundMs;
  let since = options.cursor ?? (await store.changeCounter(kind));
  let landing: Landing | undefined;
  for (;;) {
    if (options.signal?.aborted) break; // the client hung up: stop re-checking for it
    const current = await store.changeCounter(kind);
    const left = deadline - Date.now();
    if (current > since) {
      const changed = await store.changedSince(kind, since);
      const covered = coveredUpTo(since, changed);
      const landed = landing?.settled ? landing.counter : since;
      // At the bound, changes still landing are answered rather than left for an empty answer.
      if (changed.length > 0 && (covered >= current || landing?.settled || left <= 0)) {
        return { tasks: changed, cursor: Math.max(covered, landed) };
      }
      if (changed.length === 0) since = landed; // counted changes that wrote nothing
    }
    if (left <= 0) break;
    const wait = Math.min(options.intervalMs, left);
    landing = current > since ? { counter: current, settled: wait === options.intervalMs } : undefined;
    await sleep(wait, options.signal);
  }
  return { tasks: [], cursor: since };
}

/** The highest counter value up to which every counted change is among `tasks`. */
function coveredUpTo(since: number, tasks: TaskRecord[]): number {
  const seqs = new Set(tasks.map((t) => t.changeSeq));
  let covered = since;
  while (seqs.has(covered + 1)) covered++;
  return covered;
}
