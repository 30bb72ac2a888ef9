// Where the worker shares its process with the API (`npm start`) or its host with containers
// (`npm run worker`), compression must not starve them. A .tgz export keeps every thread of
// libuv's pool deflating (parallel-gzip.ts), more threads than a small machine has cores, and
// the event loop answering 200 long polls then waits its turn behind them: the wake took
// 815 ms at p95 on two cores. Linux gives each thread its own nice value, so the pool's
// threads are lowered and take the cores only when the event loop and the emulators leave
// them idle. Nothing else runs on the pool for long (file system calls, DNS lookups), and
// those are short enough not to mind the lower priority.
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { logger } from '../../lib/log.ts';

/** A nice value above the default 0: a tenth of a default thread's share of a busy core. */
export const THREAD_POOL_NICE = 10;

/** libuv names its pool's threads so (Node 22 and later). */
const POOL_THREAD_NAME = 'libuv-worker';

/** The thread ids of libuv's pool in this process; empty where /proc does not list threads. */
export function threadPoolThreadIds(): number[] {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return [];
  }
  return tids.filter((tid) => threadName(tid) === POOL_THREAD_NAME).map(Number);
}

function threadName(tid: string): string | undefined {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return undefined; // the thread ended while we looked
  }
}

/** Lowers the priority of libuv's pool threads; answers how many were lowered. */
export async function lowerThreadPoolPriority(nice = THREAD_POOL_NICE): Promise<number> {
  // libuv starts every thread of its pool at the first job given to it: this one makes sure they exist.
  await stat('.');
  let lowered = 0;
  for (const tid of threadPoolThreadIds()) {
    try {
      setPriority(tid, nice);
      lowered++;
    } catch (err) {
      logger.warn('could not lower the priority of a thread-pool thread; compression competes with requests', { tid, error: err as Error });
    }
  }
  return lowered;
}
