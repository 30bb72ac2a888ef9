// LXC containers placed on their host (STEVEDORE_HOST_TYPES=lxc), as the cloud deployment runs
// them: the API cannot reach the host's disk (STEVEDORE_LXC_RUNTIME=host), so it knows the host's
// containers from what the host worker publishes into the table; its own worker leaves LXC tasks
// alone, and the host worker, a process of its own with the LXC runtime on LXC_PATH, runs them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForTask } from '../support/api.ts';
import { hostWorkerEnv, startHostWorker } from '../support/host-worker.ts';
import { useTestStack } from '../support/stack.ts';

const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-host-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));
const stack = useTestStack({ STEVEDORE_LXC_RUNTIME: 'host', STEVEDORE_HOST_TYPES: 'lxc' }, { worker: true });

describe('LXC containers placed on their host', () => {
  beforeAll(() => {
    execFileSync('lxc-create', ['-P', lxcPath, '-n', 'onhost', '-t', 'busybox'], { stdio: 'ignore' });
  });

  it('are listed once their host worker publishes them, and exported by that worker process', async () => {
    const beforeHost = await call(stack.url, 'GET', '/api/v1/container/lxc/onhost');

    const worker = startHostWorker({ ...hostWorkerEnv(stack, 'lxc'), STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath });
    await worker.ready();
    const listed = await call(stack.url, 'GET', '/api/v1/container');
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/onhost/export', { path: 'test/onhost.tgz' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const done = await waitForTask(stack.url, 'export', created.body.id, 60_000);
    const exit = await worker.stop('SIGTERM', 5000);

    expect(beforeHost.status).toBe(404);
    expect(listed.body).toContainEqual({ id: 'onhost', name: 'onhost', image: 'busybox:latest', state: 'stopped', type: 'lxc' });
    expect(done).toMatchObject({ state: 'completed', result: 0 });
    const inspected = await call(stack.url, 'GET', '/api/v1/import/test/?name=onhost.tgz');
    expect(inspected.body).toMatchObject({ type: 'lxc', name: 'onhost', source: 'stevedore' });
    expect(exit, worker.output()).toBe(0);
  });

  it('are created and removed on their host: the API refuses, saying so', async () => {
    const refused = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'fromapi', image: 'busybox', tag: 'latest' });
    expect(refused.body).toEqual({
      error: { code: 400, message: 'lxc containers are created on their container host, where the host worker runs; this deployment lists them and runs their export and import tasks there' },
    });
  });
});
