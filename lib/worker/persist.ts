// The worker's last writes of a task (its final state, the release of what it used) must land
// even when the table is briefly unreachable: otherwise the task would stay `running` until the
// sweep finds its lease expired, and its error would say the worker went silent rather than
// what happened. They are retried with backoff for up to one lease; after that the sweep ends
// the task, and a later write of the worker fails its owner condition and changes nothing.
import { Unavailable } from '../errors.ts';
import { logger } from '../log.ts';
import { sleep } from '../sleep.ts';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

export async function persistently<T>(what: string, write: () => Promise<T>, forMs: number): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof Unavailable) || Date.now() + delay > deadline) throw err;
      logger.warn(`${what} failed; retrying`, { error: err, retryInMs: delay });
      await sleep(delay);
    }
  }
}
