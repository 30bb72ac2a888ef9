// LXC containers placed on their host (STEVEDORE_HOST_TYPES=lxc): the stack's in-process worker
// leaves an LXC export waiting, and a host worker started as a process of its own, with the
// LXC runtime on the same LXC_PATH, takes it from the stream and completes it.
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
const lxc = { STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath };
const stack = useTestStack({ ...lxc, STEVEDORE_HOST_TYPES: 'lxc' }, { worker: true });

describe('LXC containers placed on their host', () => {
  beforeAll(() => {
    execFileSync('lxc-create', ['-P', lxcPath, '-n', 'onhost', '-t', 'busybox'], { stdio: 'ignore' });
  });

  it('leaves an LXC export to the host worker process, which completes it', async () => {
    const created = await call(stack.url, 'POST', '/api/v1/container/lxc/onhost/export', { path: 'test/onhost.tgz' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = (await call(stack.url, 'GET', '/api/v1/export/')).body.find((t: { id: number }) => t.id === created.body.id);

    const worker = startHostWorker({ ...hostWorkerEnv(stack, 'lxc'), ...lxc });
    await worker.ready();
    const done = await waitForTask(stack.url, 'export', created.body.id, 60_000);
    const exit = await worker.stop('SIGTERM', 5000);

    expect(waiting).toMatchObject({ state: 'waiting', type: 'lxc' });
    expect(done).toMatchObject({ state: 'completed', result: 0 });
    const inspected = await call(stack.url, 'GET', '/api/v1/import/test/?name=onhost.tgz');
    expect(inspected.body).toMatchObject({ type: 'lxc', name: 'onhost', source: 'stevedore' });
    expect(exit, worker.output()).toBe(0);
  });
});
