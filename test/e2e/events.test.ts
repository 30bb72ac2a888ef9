// GET /api/v1/event through the HTTP API against DynamoDB Local, with the in-process worker:
// the events of export and import tasks in the order their states changed, of an aborted
// task, of containers created and removed; paging that holds while events arrive; and a
// duplicated delivery of a task that writes no second event.
import { describe, expect, it } from 'vitest';
import { runTask } from '../../lib/worker/run-task.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { call, waitForTask } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { useTestStack } from '../support/stack.ts';

// Docker tasks are left to a host worker (none runs here): the stack's own worker never claims them.
const stack = useTestStack({ STEVEDORE_HOST_TYPES: 'docker' }, { worker: true });
const { putObject } = bucketHelpers(stack);

interface Message {
  category: string;
  user: string;
  epoch: number;
  payload: Record<string, unknown>;
}

/** "category:user:epoch:json", as a client splits it. */
function parse(message: string): Message {
  const [category, user, epoch] = message.split(':', 3) as [string, string, string];
  return { category, user, epoch: Number(epoch), payload: JSON.parse(message.slice(category.length + user.length + epoch.length + 3)) };
}

async function eventPage(query = ''): Promise<{ index: number; offset: number; messages: string[] }> {
  const answer = await call(stack.url, 'GET', `/api/v1/event${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** Every event the log holds, oldest first, read page by page as a client pages. */
async function allEvents(): Promise<Message[]> {
  const first = await eventPage();
  const messages = [...first.messages];
  for (let page = first; page.messages.length > 0; ) {
    page = await eventPage(`?index=${page.index}&offset=${page.offset}`);
    messages.push(...page.messages);
  }
  return messages.reverse().map(parse);
}

const ofTask = (category: 'export' | 'import', tid: number) => async () => (await allEvents()).filter((e) => e.category === category && e.payload.tid === tid);

async function newContainer(name: string): Promise<void> {
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name, image: 'demo', tag: 'latest' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
}

describe('the events of tasks', () => {
  it('tell a full export and its import as running then completed with result 0, each with the task fields', async () => {
    // Prepare
    await newContainer('evsource');
    const before = Math.floor(Date.now() / 1000);
    // Act
    const exported = await call(stack.url, 'POST', '/api/v1/container/lxc/evsource/export', { path: 'test/ev.tgz', compress: true });
    expect(await waitForTask(stack.url, 'export', exported.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    const imported = await call(stack.url, 'POST', '/api/v1/import/test/?name=ev.tgz', { type: 'lxc', name: 'evcopy' });
    expect(await waitForTask(stack.url, 'import', imported.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    // Assess
    const events = (await allEvents()).filter((e) => e.category === 'export' || e.category === 'import');
    const exportFields = { type: 'lxc', container: 'evsource', cid: 'evsource', path: '/test/ev.tgz', compress: true, tid: exported.body.id };
    const importFields = { type: 'lxc', container: 'evcopy', cid: 'evcopy', path: '/test/ev.tgz', tid: imported.body.id };
    expect(events.map((e) => [e.category, e.user, e.payload])).toEqual([
      ['export', 'Anonymous', { ...exportFields, state: 'running' }],
      ['export', 'Anonymous', { ...exportFields, state: 'completed', result: 0 }],
      ['import', 'Anonymous', { ...importFields, state: 'running' }],
      ['import', 'Anonymous', { ...importFields, state: 'completed', result: 0 }],
    ]);
    for (const event of events) expect(event.epoch).toBeGreaterThanOrEqual(before);
  });

  it('tell an aborted import as running then aborted with result 1', async () => {
    // Prepare
    await putObject('test/junk.tar', 'not an archive at all\n');
    // Act
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=junk.tar', { type: 'lxc', name: 'evjunk' });
    expect(await waitForTask(stack.url, 'import', created.body.id, 60_000)).toMatchObject({ state: 'aborted', result: 1 });
    // Assess
    expect((await ofTask('import', created.body.id)()).map((e) => [e.payload.state, e.payload.result])).toEqual([
      ['running', undefined],
      ['aborted', 1],
    ]);
  });

  it('tell a running task the sweep took from a silent worker as aborted with result 1', async () => {
    // Prepare: a docker export claimed by a worker that then falls silent (claimed here: the stack's worker leaves it waiting)
    const id = await stack.services.tasks.nextId('export');
    await stack.services.tasks.create({ kind: 'export', id, state: 'waiting', type: 'docker', cid: 'ghost', cname: 'ghost', user: 'Anonymous', path: '/test/ghost.tar', init: Math.floor(Date.now() / 1000) });
    expect(await stack.services.tasks.claim('export', id, 'a-silent-worker')).toBeDefined();
    // Act
    const swept = await sweepStaleTasks(stack.services, Date.now() + 10 * stack.cfg.taskLeaseMs);
    // Assess
    expect(swept.map((t) => t.id)).toContain(id);
    expect((await ofTask('export', id)()).map((e) => [e.payload.state, e.payload.result])).toEqual([
      ['running', undefined],
      ['aborted', 1],
    ]);
  });

  it('are written once when the same task is delivered again, at the same time as the worker and after it finished', async () => {
    // Prepare
    await newContainer('evtwice');
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/evtwice/export', { path: 'test/twice.tar' });
    // Act: two more deliveries racing the worker's own, then one after the task ended
    const raced = await Promise.all([runTask(stack.services, { kind: 'export', id: created.body.id }), runTask(stack.services, { kind: 'export', id: created.body.id })]);
    expect(await waitForTask(stack.url, 'export', created.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    const late = await runTask(stack.services, { kind: 'export', id: created.body.id });
    // Assess
    expect(raced.filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(late).toBe(false);
    expect((await ofTask('export', created.body.id)()).map((e) => e.payload.state)).toEqual(['running', 'completed']);
  });
});

describe('the events of containers', () => {
  it('tell a container created and removed through the API', async () => {
    // Act
    await newContainer('evbrief');
    expect((await call(stack.url, 'DELETE', '/api/v1/container/lxc/evbrief')).status).toBe(200);
    // Assess
    const events = (await allEvents()).filter((e) => e.category === 'container' && e.payload.container === 'evbrief');
    expect(events.map((e) => [e.user, e.payload])).toEqual([
      ['Anonymous', { container: 'evbrief', type: 'lxc', state: 'create' }],
      ['Anonymous', { container: 'evbrief', type: 'lxc', state: 'destroy' }],
    ]);
  });

  it('are not written for a create the API refused', async () => {
    // Prepare
    const before = (await eventPage()).index;
    // Act
    const refused = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'evbrief!', image: 'demo', tag: 'latest' });
    // Assess
    expect(refused.status).toBe(400);
    expect((await eventPage()).index).toBe(before);
  });
});

describe('event pages', () => {
  it('are 20 events newest first, and page on by index and offset unchanged while new events arrive', async () => {
    // Prepare: more than a page of events
    for (let n = 1; n <= 23; n++) await newContainer(`evpage${n}`);
    // Act
    const first = await eventPage();
    await newContainer('evlate');
    const second = await eventPage(`?index=${first.index}&offset=${first.offset}`);
    const latest = await eventPage();
    // Assess
    expect(first.messages).toHaveLength(20);
    expect(first.messages.map((m) => parse(m).payload.container)).toEqual(Array.from({ length: 20 }, (_, i) => `evpage${23 - i}`));
    expect(second.index).toBe(first.index);
    expect(second.offset).toBe(40);
    expect(second.messages.slice(0, 3).map((m) => parse(m).payload.container)).toEqual(['evpage3', 'evpage2', 'evpage1']);
    expect(latest.index).toBe(first.index + 1);
    expect(parse(latest.messages[0]!).payload.container).toBe('evlate');
  });

  it('refuse an offset that is not a whole number with a 400 in the envelope', async () => {
    const answer = await call(stack.url, 'GET', '/api/v1/event?offset=-5');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 400, message: 'offset must be a whole number of 0 or more' } });
  });
});
