// What stevedore writes to its log (JSON lines, lib/http/request-log.ts): one line per request,
// and nothing at the default level for the routine duplicate delivery of a task already claimed.
import { describe, expect, it, onTestFinished } from 'vitest';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { logger } from '../../lib/log.ts';
import { runTask } from '../../lib/worker/run-task.ts';
import { call } from '../support/api.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '5', STEVEDORE_POLL_INTERVAL_MS: '100' });

/** Every JSON line the logger writes to stdout while the test runs, at the given level. */
function captureLog(level: 'INFO' | 'DEBUG'): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  logger.setLogLevel(level);
  onTestFinished(() => {
    process.stdout.write = write;
    logger.setLogLevel('CRITICAL');
  });
  return lines;
}

describe('the request log', () => {
  it('writes one JSON line per request: its id (also sent back), route, status, latency, user and task', async () => {
    // Prepare
    const log = captureLog('INFO');
    await provisionDemoImage(stack.services.builtinRuntime);
    await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'requested', image: 'demo', tag: 'latest' });
    // Act
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/requested/export', { path: 'test/requested.tar' });
    const missing = await call(stack.url, 'GET', '/api/v1/no-such-route');
    // Assess
    const requests = log.filter((line) => line.message === 'request');
    const exportLine = requests.find((line) => line.route === 'export-create');
    expect(exportLine).toMatchObject({ level: 'INFO', service: 'stevedore', method: 'POST', path: '/api/v1/container/lxc/requested/export', status: 200, taskId: created.body.id });
    expect(exportLine).not.toHaveProperty('user'); // anonymous: no user field
    expect(exportLine!.latencyMs).toEqual(expect.any(Number));
    expect(exportLine!.requestId).toBe(created.headers.get('x-request-id'));
    expect(requests.find((line) => line.path === '/api/v1/no-such-route')).toMatchObject({ route: 'unmatched', status: 404, requestId: missing.headers.get('x-request-id') });
    expect(requests.filter((line) => line.requestId === exportLine!.requestId)).toHaveLength(1);
  });

  it('logs a long poll the client gave up on as hung up', async () => {
    // Prepare
    const log = captureLog('INFO');
    const client = new AbortController();
    // Act
    const poll = fetch(`${stack.url}/api/v1/export/progress`, { signal: client.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    client.abort();
    await poll;
    const deadline = Date.now() + 3000;
    while (!log.some((line) => line.route === 'export-progress') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Assess
    expect(log.find((line) => line.route === 'export-progress')).toMatchObject({ message: 'request', hungUp: true });
  });
});

describe('the worker log', () => {
  it('writes nothing at the default level for a delivery of a task already claimed', async () => {
    // Prepare: an export the worker ran once already
    await provisionDemoImage(stack.services.builtinRuntime);
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'logged', image: 'demo', tag: 'latest' })).status).toBe(200);
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/logged/export', { path: 'test/logged.tar' });
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(true);
    const log = captureLog('INFO');
    // Act: the same task delivered again, at the default level and then at debug level
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(false);
    const atInfo = log.filter((line) => line.message === 'task already claimed');
    logger.setLogLevel('DEBUG');
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(false);
    const atDebug = log.filter((line) => line.message === 'task already claimed');
    // Assess
    expect(atInfo).toEqual([]);
    expect(atDebug).toHaveLength(1);
  });
});
