// Long-poll load: 200 clients follow one running export through the progress long poll at
// once, each sending back its cursor as a progress view does. Every poll answers within its
// bound (the poll's own limit plus the headroom a function has to send its answer), every
// client sees the export end, and the table reads stay those of one poll: one change-counter
// read per re-check interval, and a task query only when the counter moved, however many polls
// wait (support/long-poll-run.ts). The wake latency itself is measured by `npm run
// bench:long-poll`, not here; the soak (npm run soak) runs more clients, several times.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestStack } from '../support/stack.ts';
import { prepareLongPollSource, runLongPollLoad } from './support/long-poll-run.ts';

const CLIENTS = 200;
// With faults: the export holds its end until every client was answered once (support/long-poll-run.ts).
const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '3' }, { worker: true, faults: true });

beforeAll(() => prepareLongPollSource(stack));

describe('GET /api/v1/export/progress under load', () => {
  it(`answers ${CLIENTS} concurrent polls during an export within their bound, with the table reads of one`, async () => {
    // Act
    const outcome = await runLongPollLoad(stack, { clients: CLIENTS, path: 'test/load.tgz' });
    // Assess
    expect(outcome.problems).toEqual([]);
    expect(outcome.clients).toBe(CLIENTS);
    expect(outcome.answers, 'every client polled more than once').toBeGreaterThan(CLIENTS);
    expect(outcome.counterReads).toBeGreaterThan(0);
  }, 120_000); // a loaded machine may take long over even a small export
});
