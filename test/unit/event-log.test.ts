// The event log's messages and paging (lib/events/), on the in-memory adapters: what a client
// reads for task state changes and containers, and pages that stay put while events arrive.
// The same through the HTTP API against DynamoDB is tested in test/e2e/events.test.ts.
import { describe, expect, it } from 'vitest';
import { containerEvent, eventMessage, taskEvent } from '../../lib/events/model.ts';
import { pageWindow, parseEventPageRequest, readEventPage } from '../../lib/events/paging.ts';
import { InvalidInput } from '../../lib/errors.ts';
import type { TaskRecord } from '../../lib/tasks/model.ts';
import { MemoryEventLog } from '../support/memory-event-log.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';

const exportTask = (id: number): TaskRecord => ({
  kind: 'export',
  id,
  state: 'waiting',
  type: 'lxc',
  cid: 'utest',
  cname: 'utest',
  user: 'admin',
  path: '/test/c.tgz',
  compress: true,
  init: 1434968450,
});

/** A log holding `count` container events, numbered 1..count, named c1..c<count>. */
async function logOf(count: number): Promise<MemoryEventLog> {
  const log = new MemoryEventLog();
  for (let n = 1; n <= count; n++) await log.append(containerEvent('Anonymous', { name: `c${n}`, type: 'lxc' }, 'create', 1434968400 + n));
  return log;
}

/** The JSON of a message, after its category, user and epoch. */
const payloadOf = (message: string) => JSON.parse(message.split(':').slice(3).join(':'));
const namesIn = (messages: string[]) => messages.map((m) => /"container": "(c\d+)"/.exec(m)?.[1]);
const names = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => `c${from - i}`);

describe('event messages', () => {
  it('reads "category:user:epoch:json" with the JSON written as the original server wrote it', () => {
    const running = { ...exportTask(1), state: 'running' as const, start: 1434968452 };
    expect(eventMessage(taskEvent(running, 1434968452))).toBe(
      'export:admin:1434968452:{"cid": "utest", "compress": true, "container": "utest", "path": "/test/c.tgz", "state": "running", "tid": 1, "type": "lxc"}',
    );
  });

  it('gives an ended task its result, and an import no compress', () => {
    const imported: TaskRecord = { ...exportTask(3), kind: 'import', cid: 'utest_import', cname: 'utest_import', compress: undefined, state: 'completed', result: 0 };
    expect(eventMessage(taskEvent(imported, 1434968460))).toBe(
      'import:admin:1434968460:{"cid": "utest_import", "container": "utest_import", "path": "/test/c.tgz", "result": 0, "state": "completed", "tid": 3, "type": "lxc"}',
    );
  });

  it('says which container was created or destroyed', () => {
    expect(eventMessage(containerEvent('Anonymous', { name: 'utest', type: 'docker' }, 'destroy', 1434968470))).toBe(
      'container:Anonymous:1434968470:{"container": "utest", "state": "destroy", "type": "docker"}',
    );
  });

  it('are logged by the task store when a task is claimed and ends, in that order, and not again for a second claim', async () => {
    const store = new MemoryTaskStore();
    await store.create(exportTask(1));
    const claimed = await store.claim('export', 1, 'worker-a');
    expect(await store.claim('export', 1, 'worker-b')).toBeUndefined();
    expect(await store.finish(claimed!, 'worker-a', { state: 'completed', result: 0 })).toBe(true);
    expect(await store.finish(claimed!, 'worker-a', { state: 'completed', result: 0 })).toBe(false);
    expect(store.events.messages().map(payloadOf)).toEqual([
      { cid: 'utest', compress: true, container: 'utest', path: '/test/c.tgz', state: 'running', tid: 1, type: 'lxc' },
      { cid: 'utest', compress: true, container: 'utest', path: '/test/c.tgz', state: 'completed', result: 0, tid: 1, type: 'lxc' },
    ]);
  });
});

describe('event pages', () => {
  it('answer the newest 20, newest first, anchored at the newest event, when asked without index', async () => {
    const page = await readEventPage(await logOf(45), parseEventPageRequest(undefined, undefined));
    expect(page.index).toBe(45);
    expect(page.offset).toBe(20);
    expect(namesIn(page.messages)).toEqual(names(45, 26));
  });

  it('page down by the offset each answer gives, to an empty page past the oldest', async () => {
    const log = await logOf(45);
    const second = await readEventPage(log, { index: 45, offset: 20 });
    const third = await readEventPage(log, { index: second.index, offset: second.offset });
    const past = await readEventPage(log, { index: third.index, offset: third.offset });
    expect(namesIn(second.messages)).toEqual(names(25, 6));
    expect(namesIn(third.messages)).toEqual(names(5, 1));
    expect(past).toEqual({ index: 45, offset: 80, messages: [] });
  });

  it('stay the same while new events arrive, which a request without index then counts', async () => {
    const log = await logOf(30);
    const first = await readEventPage(log, { offset: 0 });
    for (let n = 31; n <= 35; n++) await log.append(containerEvent('Anonymous', { name: `c${n}`, type: 'lxc' }, 'create', 1434968400 + n));
    const second = await readEventPage(log, { index: first.index, offset: first.offset });
    const latest = await readEventPage(log, { offset: 0 });
    expect(namesIn(first.messages)).toEqual(names(30, 11));
    expect(namesIn(second.messages)).toEqual(names(10, 1));
    expect(latest.index - first.index).toBe(5);
    expect(namesIn(latest.messages)).toEqual(names(35, 16));
  });

  it('take an index past the newest as the newest, and an empty log as index 0', async () => {
    expect(pageWindow(10, { index: 99, offset: 0 })).toEqual({ index: 10, from: 1, to: 10, nextOffset: 20 });
    expect(await readEventPage(new MemoryEventLog(), { offset: 0 })).toEqual({ index: 0, offset: 20, messages: [] });
  });

  it('refuse an index or offset that is not a whole number', () => {
    expect(() => parseEventPageRequest('-1', undefined)).toThrow(InvalidInput);
    expect(() => parseEventPageRequest(undefined, 'ten')).toThrow('offset must be a whole number of 0 or more');
    expect(parseEventPageRequest('', '40')).toEqual({ offset: 40 });
  });
});
