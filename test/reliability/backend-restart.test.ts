// The S3 emulator, then DynamoDB Local, stopped and started again under a running stevedore:
// while one is down the API answers 503 in its envelope (no hang, no crash); what was committed
// before is all there afterwards; and stevedore serves again by itself once the backend is back,
// with no restart of its own. Stopped in the middle of a task, the task ends (aborted with the
// backend's name, never left running), leaves no partial archive or half-made container, and
// the same task started again completes. Paused (SIGSTOP) rather than stopped, a backend that
// hangs still gets a 503 within the bound. The emulators are this file's own, on fixed ports
// and data dirs, so that they come back where stevedore looks for them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDynamoLocal, startS3rver, type Emulator } from '../../infra/local/emulators.ts';
import { provision } from '../../infra/local/provision.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from '../../infra/local/server.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { startWorkerHost, type WorkerHost } from '../../infra/local/worker-host.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { call, waitForTask } from '../support/api.ts';
import { listedNames, putBigTarball, taskOf, untilInTheMiddle, type TaskKind } from '../support/crash.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { testEnvironment, type TestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;

const dataDir = mkdtempSync(join(tmpdir(), 'sd-backends-'));
const ports = { dynamo: 0, s3: 0 };
let dynamo: Emulator | undefined;
let s3: Emulator | undefined;
let services: ComposedServices;
let server: RunningServer;
let workers: WorkerHost;
const startDynamo = async () => (dynamo = await startDynamoLocal({ port: ports.dynamo, dataDir: join(dataDir, 'dynamodb') }));
const startS3 = async () => (s3 = await startS3rver({ port: ports.s3, dataDir: join(dataDir, 's3') }));

beforeAll(async () => {
  ports.dynamo = await freePort();
  ports.s3 = await freePort();
  await Promise.all([startDynamo(), startS3()]);
  services = createServices(
    testEnvironment({
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.dynamo}`,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}`,
      // Slow enough to be caught in the middle. The lease outlasts DynamoDB Local's restart, so a
      // task that lost the table is ended by its own worker, not by the sweep.
      STEVEDORE_GZIP_LEVEL: '9',
      STEVEDORE_UPLOAD_PART_MIB: '5',
      STEVEDORE_TASK_LEASE_SECONDS: '30',
    }),
  );
  await provision(services.config, services.aws);
  await provisionDemoImage(services.builtinRuntime);
  await services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(12, 4 * MIB));
  await putBigTarball({ aws: services.aws, cfg: services.config } as TestStack, 'test/big.tar', 16);
  server = await startServer(createLocalApp(await loadFunctions(), services), '127.0.0.1', 0);
  workers = await startWorkerHost(services, { sweepEveryMs: 1000 });
}, 180_000);
afterAll(async () => {
  await workers?.stop();
  await server?.close();
  services?.aws.destroy();
  await Promise.all([dynamo?.stop(), s3?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

/** A request that must answer, and within the poll bound: a hang fails the test instead of stalling it. */
async function timed(method: string, path: string, body?: unknown) {
  const at = Date.now();
  const answer = await call(server.url, method, path, body, { signal: AbortSignal.timeout(services.config.pollBoundMs) });
  return { ...answer, ms: Date.now() - at };
}

const figures: string[] = [];
afterAll(() => console.log(`backend restarts:\n${figures.join('\n')}`));

/** A big built-in container: its export runs for seconds. */
async function bulkyContainer(name: string): Promise<string> {
  const created = await timed('POST', '/api/v1/container', { type: 'docker', name, image: 'bulky', tag: 'latest' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

/** An export of the container to `test/<name>.tgz`, over one that is there. */
async function startExport(containerId: string, name: string): Promise<number> {
  const created = await timed('POST', `/api/v1/container/docker/${containerId}/export`, { path: `test/${name}.tgz`, force: true });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

async function startImport(name: string): Promise<number> {
  const created = await timed('POST', '/api/v1/import/test/?name=big.tar', { type: 'docker', name });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

/** Waits until the task ended, through the API (the table must answer); how long it took after `since`. */
async function ended(kind: TaskKind, id: number, since: number): Promise<{ task: Record<string, any>; afterMs: number }> {
  const task = await waitForTask(server.url, kind, id, 120_000);
  return { task, afterMs: Date.now() - since };
}

async function containerNames(): Promise<string[]> {
  const listed = await timed('GET', '/api/v1/container');
  expect(listed.status).toBe(200);
  return (listed.body as { name: string }[]).map((c) => c.name);
}

describe('a backend stopped and started again', () => {
  it('S3: the share folders answer 503 while it is down, and their files are all there once it is back', async () => {
    // Prepare
    const made = await timed('POST', '/api/v1/sharefolder/test/', { name: 'kept.txt', is_dir: false, context: 'committed before' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    // Act
    await s3!.stop();
    const down = await timed('GET', '/api/v1/sharefolder/test');
    await startS3();
    const back = await timed('GET', '/api/v1/sharefolder/test');
    // Assess
    figures.push(`S3 down: 503 in ${down.ms} ms; back: ${back.status} in ${back.ms} ms`);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: { code: 503, message: expect.stringMatching(/^S3 at .* cannot be reached/) } });
    expect(back.status).toBe(200);
    expect(JSON.stringify(back.body)).toContain('"name":"kept.txt"');
  });

  it('DynamoDB: the task list and the containers answer 503 while it is down, and the tasks are all there once it is back', async () => {
    // Prepare
    const container = await timed('POST', '/api/v1/container', { type: 'lxc', name: 'keep', image: 'demo', tag: 'latest' });
    expect(container.status, JSON.stringify(container.body)).toBe(200);
    const task = await timed('POST', `/api/v1/container/lxc/${container.body.id}/export`, { path: 'test/keep.tar' });
    expect(task.status, JSON.stringify(task.body)).toBe(200);
    const before = await timed('GET', '/api/v1/export/');
    // Act
    await dynamo!.stop();
    const down = await Promise.all([timed('GET', '/api/v1/export/'), timed('GET', '/api/v1/container'), timed('GET', '/api/v1/export/progress')]);
    await startDynamo();
    const back = await timed('GET', '/api/v1/export/');
    const containers = await timed('GET', '/api/v1/container');
    // Assess
    figures.push(`DynamoDB down: ${down.map((d) => `${d.status} in ${d.ms} ms`).join(', ')}; back: ${back.status} in ${back.ms} ms`);
    expect(down.map((d) => d.status)).toEqual([503, 503, 503]);
    for (const d of down) expect(d.body).toEqual({ error: { code: 503, message: expect.stringMatching(/^DynamoDB at .* cannot be reached/) } });
    expect(back.status).toBe(200);
    expect(back.body).toEqual(before.body);
    expect(JSON.stringify(containers.body)).toContain('"name":"keep"');
  }, 120_000);
});

describe('a backend stopped in the middle of a task and started again', () => {
  it('S3 during an export: the export ends aborted naming S3, no archive is listed, and the export started again completes', async () => {
    // Prepare
    const container = await bulkyContainer('s3exp');
    const id = await startExport(container, 's3exp');
    await untilInTheMiddle(server.url, 'export', id);
    // Act
    await s3!.stop();
    const stoppedAt = Date.now();
    const { task, afterMs } = await ended('export', id, stoppedAt);
    await startS3();
    const listed = await listedNames(server.url, 'test');
    const again = await waitForTask(server.url, 'export', await startExport(container, 's3exp'), 120_000);
    // Assess
    figures.push(`S3 stopped mid-export: aborted ${afterMs} ms later`);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: expect.stringMatching(/^S3 at .* cannot be reached/) });
    expect(listed).not.toContain('"name":"s3exp.tgz"');
    expect(again).toMatchObject({ state: 'completed', result: 0 });
    expect(await listedNames(server.url, 'test')).toContain('"name":"s3exp.tgz"');
  }, 240_000);

  it('S3 during an import: the import ends aborted naming S3, no container is made, and the import started again completes', async () => {
    // Prepare
    const id = await startImport('s3imp');
    await untilInTheMiddle(server.url, 'import', id);
    // Act
    await s3!.stop();
    const { task, afterMs } = await ended('import', id, Date.now());
    const containersWhileDown = await containerNames();
    await startS3();
    const again = await waitForTask(server.url, 'import', await startImport('s3imp'), 120_000);
    // Assess
    figures.push(`S3 stopped mid-import: aborted ${afterMs} ms later`);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: expect.stringMatching(/^S3 at .* cannot be reached/) });
    expect(containersWhileDown).not.toContain('s3imp');
    expect(again).toMatchObject({ state: 'completed', result: 0 });
    expect(await containerNames()).toContain('s3imp');
  }, 240_000);

  it('DynamoDB during an export: the export ends once it is back (never left running), aborted naming DynamoDB or completed with its archive listed, and the export started again completes', async () => {
    // Prepare
    const container = await bulkyContainer('dbexp');
    const id = await startExport(container, 'dbexp');
    await untilInTheMiddle(server.url, 'export', id);
    // Act
    await dynamo!.stop();
    const down = await timed('GET', `/api/v1/export/`);
    await startDynamo();
    const { task, afterMs } = await ended('export', id, Date.now());
    const listed = await listedNames(server.url, 'test');
    const again = await waitForTask(server.url, 'export', await startExport(container, 'dbexp'), 120_000);
    // Assess
    figures.push(`DynamoDB stopped mid-export: ${task.state} ${afterMs} ms after it was back (${task.error ?? 'no error'})`);
    expect(down.status).toBe(503);
    // Aborted, unless the table was back before the export reached its end.
    if (task.state === 'aborted') {
      expect(task.error).toMatch(/^DynamoDB at .* cannot be reached/);
      expect(listed).not.toContain('"name":"dbexp.tgz"');
    } else {
      expect(task).toMatchObject({ state: 'completed', result: 0 });
      expect(listed).toContain('"name":"dbexp.tgz"');
    }
    expect(again).toMatchObject({ state: 'completed', result: 0 });
  }, 240_000);
});

describe('a backend that hangs (its process paused) and then answers again', () => {
  /** Pauses the emulator for the length of `during`. */
  async function paused<T>(emulator: Emulator, during: () => Promise<T>): Promise<T> {
    const pid = emulator.serverPid();
    expect(pid, `${emulator.name} has a process`).toBeDefined();
    process.kill(pid!, 'SIGSTOP');
    try {
      return await during();
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
  }

  it('S3: the share folders answer 503 in the envelope within the bound, and 200 once it answers again', async () => {
    // Act
    const down = await paused(s3!, () => timed('GET', '/api/v1/sharefolder/test'));
    const back = await timed('GET', '/api/v1/sharefolder/test');
    // Assess
    figures.push(`S3 paused: ${down.status} in ${down.ms} ms; resumed: ${back.status} in ${back.ms} ms`);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: { code: 503, message: expect.stringMatching(/^S3 at .* cannot be reached \(it stopped answering\)$/) } });
    expect(back.status).toBe(200);
  }, 60_000);

  it('DynamoDB: a progress long poll and the task list answer 503 in the envelope within the poll bound, and 200 once it answers again', async () => {
    // Act
    const down = await paused(dynamo!, () => Promise.all([timed('GET', '/api/v1/export/progress'), timed('GET', '/api/v1/export/')]));
    const back = await timed('GET', '/api/v1/export/');
    // Assess
    figures.push(`DynamoDB paused: ${down.map((d) => `${d.status} in ${d.ms} ms`).join(', ')}; resumed: ${back.status} in ${back.ms} ms`);
    expect(down.map((d) => d.status)).toEqual([503, 503]);
    for (const d of down) expect(d.body).toEqual({ error: { code: 503, message: expect.stringMatching(/^DynamoDB at .* cannot be reached/) } });
    expect(back.status).toBe(200);
  }, 60_000);
});
