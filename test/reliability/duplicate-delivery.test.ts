// Duplicate delivery: a stream source delivers at least once. Two workers read the same stream,
// and each hands every batch to the worker twice, the second time in reverse order (the poller's
// test aid `redeliverReversed`): every task is still run by exactly one worker, once
// (support/duplicate-run.ts). The soak (npm run soak) repeats it, round after round on one stack.
import { describe, expect, it } from 'vitest';
import { useTestStack } from '../support/stack.ts';
import { runDuplicateDelivery } from './support/duplicate-run.ts';

const stack = useTestStack();

describe('a task delivered twice, out of order, to two workers', () => {
  it('is run by exactly one worker, once, and each task has one running and one completed event', async () => {
    // Act: five exports waiting on the stream before any worker reads it
    const outcome = await runDuplicateDelivery(stack, { tasks: 5, name: 'dup' });
    // Assess
    expect(outcome.problems).toEqual([]);
    expect(outcome.tasks).toBe(5);
  });

  it('leaves the earlier tasks alone when two more workers read the same stream again from its start', async () => {
    // Act: a second round on the same stream, whose workers meet the first round's tasks again
    const outcome = await runDuplicateDelivery(stack, { tasks: 3, name: 'again' });
    // Assess
    expect(outcome.problems).toEqual([]);
    expect(outcome.tasks).toBe(3);
  });
});
