// What a long poll reads of the tasks in DynamoDB (lib/tasks/dynamo-task-store.ts): the tasks
// that changed after a counter value, from the table's index of changes, each carrying the
// change its last one overwrote. The poll's logic on top of it is tested in
// test/unit/long-poll.test.ts, its answers over HTTP in test/e2e/progress.test.ts.
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../lib/tasks/model.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();

async function claimedTask(path: string): Promise<TaskRecord> {
  const tasks = stack.services.tasks;
  const id = await tasks.nextId('export');
  await tasks.create({ kind: 'export', id, state: 'waiting', type: 'lxc', cid: 'c', cname: 'c', user: 'Anonymous', path, init: 0 });
  return (await tasks.claim('export', id, 'worker'))!;
}

describe('the tasks changed after a counter value', () => {
  it('are read from the index, the same as from the table itself, each with the change its last one overwrote', async () => {
    // Prepare: one task claimed before `since`, one claimed and moved on after it, one finished after it
    const tasks = stack.services.tasks;
    const before = await claimedTask('/test/changes-before.tar');
    const since = await tasks.changeCounter('export');
    const progressed = await claimedTask('/test/changes-progressed.tar');
    await tasks.reportProgress(progressed, 'worker', { percent: 40 });
    const finished = await claimedTask('/test/changes-finished.tar');
    await tasks.finish(finished, 'worker', { state: 'completed', result: 0 });

    // Act
    const fromIndex = await tasks.changedSince('export', since);
    const fromTable = await tasks.changedSince('export', since, { consistent: true });

    // Assess
    const seqs = (list: TaskRecord[]) => list.map(({ id, state, changeSeq, prevChangeSeq }) => ({ id, state, changeSeq, prevChangeSeq }));
    expect(seqs(fromIndex)).toEqual([
      { id: finished.id, state: 'completed', changeSeq: since + 4, prevChangeSeq: since + 3 },
      { id: progressed.id, state: 'running', changeSeq: since + 2, prevChangeSeq: since + 1 },
    ]);
    expect(seqs(fromTable)).toEqual(seqs(fromIndex));
    expect(fromIndex.map((t) => t.id)).not.toContain(before.id);
  });
});
