// Every process of `npm start` (the server with its worker, DynamoDB Local, s3rver and their
// watchdogs) killed at once with SIGKILL in the middle of an export, as a power cut would, then
// started again on the same data dir: the export is aborted with a message by the time the
// restarted stevedore is ready, no partial archive is listed, earlier data survives, and the
// export started again completes.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createServices } from '../../lib/services.ts';
import { call, waitForTask } from '../support/api.ts';
import { listedNames, untilInTheMiddle } from '../support/crash.ts';
import { stevedoreStarter, type ReadyStevedore } from '../support/local-process.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';

const MIB = 1024 * 1024;
const ENV = { STEVEDORE_UPLOAD_PART_MIB: '5', STEVEDORE_GZIP_LEVEL: '9' };

const stevedores = stevedoreStarter(ENV, { ownGroup: true, readyWithinMs: 90_000, endSignal: 'SIGTERM' });
afterAll(() => stevedores.stopAll());
const startStevedore = (dataDir?: string): Promise<ReadyStevedore> => stevedores.start(dataDir);

/** Whether any process of the group still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('every process of npm start killed at once in the middle of an export', () => {
  it('aborts the export with a message by the time the restart is ready, lists no partial archive, keeps what was there, and the export again completes', async () => {
    // Prepare: a 32 MiB container of incompressible files, an archive that completed, an export running.
    let stevedore = await startStevedore();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const services = createServices(loadConfig({ ...process.env, ...ENV, AWS_ENDPOINT_URL_DYNAMODB: stevedore.dynamoEndpoint, AWS_ENDPOINT_URL_S3: stevedore.s3Endpoint, STEVEDORE_TABLE: undefined, STEVEDORE_BUCKET: undefined }));
    await services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(8, 4 * MIB));
    services.aws.destroy();
    expect((await call(stevedore.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'bulky', image: 'bulky', tag: 'latest' })).status).toBe(200);
    const first = await call(stevedore.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/before.tar' });
    expect(await waitForTask(stevedore.url, 'export', first.body.id, 60_000)).toMatchObject({ state: 'completed' });
    const created = await call(stevedore.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky.tgz' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await untilInTheMiddle(stevedore.url, 'export', created.body.id);
    // Act
    const pgid = stevedore.child.pid!;
    process.kill(-pgid, 'SIGKILL');
    await stevedore.exited;
    for (const deadline = Date.now() + 5000; groupAlive(pgid) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    const leftRunning = groupAlive(pgid);
    const restartedAt = Date.now();
    stevedore = await startStevedore(stevedore.dataDir);
    const readyAfterMs = Date.now() - restartedAt;
    const task = (await call<Record<string, any>[]>(stevedore.url, 'GET', '/api/v1/export/')).body.find((t) => t.id === created.body.id);
    const listed = await listedNames(stevedore.url, 'test');
    const again = await call(stevedore.url, 'POST', '/api/v1/container/lxc/bulky/export', { path: 'test/bulky.tgz' });
    const retried = again.status === 200 ? await waitForTask(stevedore.url, 'export', again.body.id, 120_000) : undefined;
    // Assess
    console.log(`whole-service crash: the restart was ready (with the export aborted) ${readyAfterMs} ms after it began`);
    expect(leftRunning).toBe(false);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: 'stevedore was restarted while this export ran; start it again' });
    expect(listed).toContain('"name":"before.tar"');
    expect(listed).not.toContain('"name":"bulky.tgz"');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(retried).toMatchObject({ state: 'completed', result: 0 });
  }, 300_000);
});
