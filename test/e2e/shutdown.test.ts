// What happens to a running export when `npm start` stops (Ctrl-C / SIGTERM) or is killed
// (SIGKILL): the task ends as aborted with a message saying so, promptly, its path is free for
// a new export, and the upload parts it left in s3rver are removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createServices } from '../../lib/services.ts';
import { s3rverUploadBytes } from '../../infra/local/s3rver-uploads.ts';
import { s3DataDir } from '../../infra/local/stack.ts';
import { call } from '../support/api.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { exitWithin, stevedoreStarter, type LocalProcess, type ReadyStevedore } from '../support/local-process.ts';

const MIB = 1024 * 1024;
// Small parts and the slowest gzip keep a 64 MiB export running for seconds, parts on disk.
const ENV = { STEVEDORE_UPLOAD_PART_MIB: '5', STEVEDORE_GZIP_LEVEL: '9' };

const stevedores = stevedoreStarter(ENV, { endSignal: 'SIGKILL' });
afterAll(() => stevedores.stopAll());
const startStevedore = (dataDir?: string): Promise<ReadyStevedore> => stevedores.start(dataDir);

/** A container `bulky` of 64 MiB of incompressible files, in the given stevedore's emulators. */
async function createBulkyContainer(stevedore: ReadyStevedore): Promise<void> {
  // The SDK takes credentials from the environment: s3rver's own.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const cfg = loadConfig({
    ...process.env,
    ...ENV,
    AWS_ENDPOINT_URL_DYNAMODB: stevedore.dynamoEndpoint,
    AWS_ENDPOINT_URL_S3: stevedore.s3Endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    STEVEDORE_TABLE: undefined,
    STEVEDORE_BUCKET: undefined,
  });
  const services = createServices(cfg);
  await services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(64, MIB));
  services.aws.destroy();
  const created = await call(stevedore.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'bulky', image: 'bulky', tag: 'latest' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
}

const uploadBytes = (stevedore: LocalProcess) => s3rverUploadBytes(s3DataDir(stevedore.dataDir), 'stevedore-share');

async function startExport(stevedore: ReadyStevedore, path: string): Promise<number> {
  const created = await call(stevedore.url, 'POST', '/api/v1/container/lxc/bulky/export', { path, compress: true });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

/** Waits until the export runs and s3rver holds at least one whole part of its upload. */
async function untilPartsAreStored(stevedore: ReadyStevedore, id: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const task = await exportTask(stevedore, id);
    expect(task?.state, 'the export ended before the test could stop stevedore').not.toMatch(/completed|aborted/);
    if (task?.state === 'running' && (await uploadBytes(stevedore)) >= 5 * MIB) return;
    if (Date.now() > deadline) throw new Error(`the export stored no part: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exportTask(stevedore: ReadyStevedore, id: number): Promise<Record<string, any> | undefined> {
  return (await call<Record<string, any>[]>(stevedore.url, 'GET', '/api/v1/export/')).body.find((t) => t.id === id);
}

// One data dir through three runs of stevedore, as a user lives it: A is stopped with SIGTERM,
// B (the restart) is killed with SIGKILL, C is the restart after the crash. The start-ups run
// in the hooks and between the tests' steps (a JVM start takes 5-25 s on a busy machine).
describe('stopping npm start while an export runs', () => {
  let current: ReadyStevedore;
  /** The export B runs when it is killed. */
  let reExport: number;
  beforeAll(async () => {
    current = await startStevedore();
    await createBulkyContainer(current);
  });

  it('ends the export as aborted with a message on SIGTERM, removes its upload parts, and frees its path', async () => {
    // Prepare
    const id = await startExport(current, 'test/bulky.tgz');
    await untilPartsAreStored(current, id);
    const partsBefore = await uploadBytes(current);
    // Act
    const stopAt = Date.now();
    current.child.kill('SIGTERM');
    const exit = await exitWithin(current, 15_000);
    const stoppedInMs = Date.now() - stopAt;
    const partsAfter = await uploadBytes(current);
    current = await startStevedore(current.dataDir);
    const task = await exportTask(current, id);
    reExport = await startExport(current, 'test/bulky.tgz');
    // Assess
    expect(exit).toBe(0);
    expect(stoppedInMs).toBeLessThan(10_000);
    expect(partsBefore).toBeGreaterThan(0);
    expect(partsAfter).toBe(0);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: 'stevedore stopped (SIGTERM) while this export ran; start it again' });
    console.log(`SIGTERM: ${partsBefore} bytes of upload parts when stopped, ${partsAfter} after; stopped in ${stoppedInMs} ms`);
  });

  it('ends the export of a killed run within seconds of the restart, removes its upload parts, and frees its path', async () => {
    // Prepare
    await untilPartsAreStored(current, reExport);
    current.child.kill('SIGKILL');
    await current.exited;
    await new Promise((r) => setTimeout(r, 500)); // the watchdogs stop the emulators
    const partsLeft = await uploadBytes(current);
    // Act
    current = await startStevedore(current.dataDir);
    const task = await exportTask(current, reExport);
    const partsAfterRestart = await uploadBytes(current);
    const again = await call(current.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky.tgz', compress: true });
    // Assess
    expect(partsLeft).toBeGreaterThan(0);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: 'stevedore was restarted while this export ran; start it again' });
    expect(partsAfterRestart).toBe(0);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    console.log(`SIGKILL: ${partsLeft} bytes of upload parts left by the killed run, ${partsAfterRestart} after the restart`);
  });
});
