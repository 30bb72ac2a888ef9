// `GET .../progress`: a long poll built as bounded re-checks of the table. Each re-check
// reads one item (the kind's change counter), however many tasks exist; only when it moved
// are tasks read. The poll answers with the running tasks whose progress changed, or with
// nothing when its bound ends.
//
// A cursor makes sure a change that lands between two polls of one client is not lost: the
// response carries the change-counter value it saw (header `X-Stevedore-Cursor`) and the
// next poll may send it back (`?cursor=N`), getting every change after it at once. Without a
// cursor a poll waits for changes after it started, as the original API did.
import { sleep } from '../sleep.ts';
import type { TaskKind, TaskRecord } from './model.ts';
import { taskStore } from './store.ts';

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

export async function pollProgress(kind: TaskKind, options: PollOptions): Promise<PollResult> {
  const store = taskStore();
  const deadline = Date.now() + options.boundMs;
  let since = options.cursor ?? (await store.changeCounter(kind));
  // A counter value seen with no matching task yet: the task's write may still be landing,
  // so it is given one interval before the poll stops looking for it.
  let unmatched: number | undefined;
  for (;;) {
    if (options.signal?.aborted) break; // the client hung up: stop re-checking for it
    const current = await store.changeCounter(kind);
    if (current > since) {
      const changed = await store.runningChangedSince(kind, since);
      if (changed.length > 0) {
        return { tasks: changed, cursor: Math.max(...changed.map((t) => t.changeSeq ?? since)) };
      }
      if (unmatched !== undefined) since = unmatched;
      unmatched = current;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(options.intervalMs, left), options.signal);
  }
  return { tasks: [], cursor: since };
}
