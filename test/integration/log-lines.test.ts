// What the local stack writes to its log: one line per request, and nothing at the default
// level for the routine duplicate delivery of a task already claimed.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLocalApp, loadFunctions, startServer } from '../../infra/local/server.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { logger } from '../../lib/log.ts';
import { runTask } from '../../lib/worker/run-task.ts';
import { call } from '../support/api.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '5', STEVEDORE_POLL_INTERVAL_MS: '100' });

describe('the request log', () => {
  it('logs a long poll the client gave up on as hung up, not with a status', async () => {
    // Prepare: a server of our own whose log we read
    const lines: string[] = [];
    const server = await startServer(createLocalApp(await loadFunctions(), stack.services, (line) => lines.push(line)), '127.0.0.1', 0);
    onTestFinished(() => server.close());
    const client = new AbortController();
    // Act
    const poll = fetch(`${server.url}/api/v1/export/progress`, { signal: client.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    client.abort();
    await poll;
    const deadline = Date.now() + 3000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await call(server.url, 'GET', '/api/v1/export/');
    // Assess
    expect(lines[0]).toMatch(/^GET \/api\/v1\/export\/progress hung up \d+ms$/);
    expect(lines[1]).toMatch(/^GET \/api\/v1\/export\/ 200 \d+ms$/);
  });
});

describe('the worker log', () => {
  it('writes nothing at the default level for a delivery of a task already claimed', async () => {
    // Prepare: an export the worker ran once already
    await provisionDemoImage(stack.services.builtinRuntime);
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'logged', image: 'demo', tag: 'latest' })).status).toBe(200);
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/logged/export', { path: 'test/logged.tar' });
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(true);
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    onTestFinished(() => {
      process.stdout.write = write;
      logger.setLogLevel('CRITICAL');
    });
    // Act: the same task delivered again, at the default level and then at debug level
    logger.setLogLevel('INFO');
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(false);
    const atInfo = written.filter((line) => line.includes('task already claimed'));
    logger.setLogLevel('DEBUG');
    expect(await runTask(stack.services, { kind: 'export', id: created.body.id })).toBe(false);
    const atDebug = written.filter((line) => line.includes('task already claimed'));
    // Assess
    expect(atInfo).toEqual([]);
    expect(atDebug).toHaveLength(1);
  });
});
