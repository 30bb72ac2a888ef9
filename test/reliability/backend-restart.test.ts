// The S3 emulator, then DynamoDB Local, stopped and started again under a running stevedore:
// while one is down the API answers 503 in its envelope (no hang, no crash); what was committed
// before is all there afterwards; and stevedore serves again by itself once the backend is back,
// with no restart of its own. The emulators are this file's own, on fixed ports and data dirs,
// so that they come back where stevedore looks for them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDynamoLocal, startS3rver, type Emulator } from '../../infra/local/emulators.ts';
import { provision } from '../../infra/local/provision.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from '../../infra/local/server.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { call } from '../support/api.ts';
import { testEnvironment } from '../support/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sd-backends-'));
const ports = { dynamo: 0, s3: 0 };
let dynamo: Emulator | undefined;
let s3: Emulator | undefined;
let services: ComposedServices;
let server: RunningServer;
const startDynamo = async () => (dynamo = await startDynamoLocal({ port: ports.dynamo, dataDir: join(dataDir, 'dynamodb') }));
const startS3 = async () => (s3 = await startS3rver({ port: ports.s3, dataDir: join(dataDir, 's3') }));

beforeAll(async () => {
  ports.dynamo = await freePort();
  ports.s3 = await freePort();
  await Promise.all([startDynamo(), startS3()]);
  services = createServices(testEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.dynamo}`, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}` }));
  await provision(services.config, services.aws);
  await provisionDemoImage(services.builtinRuntime);
  server = await startServer(createLocalApp(await loadFunctions(), services), '127.0.0.1', 0);
}, 120_000);
afterAll(async () => {
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
