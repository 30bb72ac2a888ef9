// The process running the worker killed (SIGKILL) in the middle of an export and of an import,
// then started again, on the built-in runtime and LXC: each task ends aborted with a message
// by the time the restarted worker is ready (not after its 120 s lease), no partial archive is ever listed,
// no half-made container is left (no LXC staging directory, no root filesystem object), and the
// same task started again completes. The worker is a host worker process (`npm run worker`) for
// both types: `docker` on the built-in runtime, `lxc` on LXC_PATH, beside a stack whose API
// reads the same LXC_PATH.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForTask } from '../support/api.ts';
import { killAndRestart, putBigTarball, untilInTheMiddle, type TaskKind } from '../support/crash.ts';
import { hostWorkerEnv, restartableHostWorker } from '../support/host-worker.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;
const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-crash-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));
const stack = useTestStack({ STEVEDORE_HOST_TYPES: 'docker,lxc', STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath }, { worker: true });
const workerEnv = () => ({ ...hostWorkerEnv(stack, 'docker,lxc'), STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath, STEVEDORE_GZIP_LEVEL: '9', STEVEDORE_UPLOAD_PART_MIB: '5' });
const figures: string[] = [];
afterAll(() => console.log(`worker crash (host worker, SIGKILL):\n${figures.join('\n')}`));

let bigd = '';
const worker = restartableHostWorker(workerEnv);

/** Containers and what is not a container in LXC_PATH (a staging directory, say). */
const lxcEntries = () => readdirSync(lxcPath).filter((name) => name !== '.stevedore-images').sort();
async function rootfsObjects(): Promise<number> {
  const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: stack.cfg.bucketName, Prefix: '.stevedore/containers/' }));
  return listed.KeyCount ?? 0;
}

beforeAll(async () => {
  // A busybox container with 32 MiB of incompressible files (gzip level 9 takes seconds); a built-in docker container as big.
  execFileSync('lxc-create', ['-P', lxcPath, '-n', 'bigl', '-t', 'busybox'], { stdio: 'ignore' });
  for (let i = 0; i < 8; i++) writeFileSync(join(lxcPath, 'bigl', 'rootfs', `blob-${i}`), randomBytes(4 * MIB));
  await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(8, 4 * MIB));
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'bigd', image: 'bulky', tag: 'latest' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  bigd = created.body.id;
  await putBigTarball(stack, 'test/big.tar', 24);
  await worker.start();
}, 240_000);

const CASES: { runtime: string; kind: TaskKind; start: () => Promise<{ status: number; body: any }>; archive?: string; imported?: string }[] = [
  { runtime: 'built-in', kind: 'export', start: () => call(stack.url, 'POST', `/api/v1/container/docker/${bigd}/export`, { path: 'test/bigd.tgz' }), archive: 'bigd.tgz' },
  { runtime: 'LXC', kind: 'export', start: () => call(stack.url, 'POST', '/api/v1/container/lxc/bigl/export', { path: 'test/bigl.tgz' }), archive: 'bigl.tgz' },
  { runtime: 'built-in', kind: 'import', start: () => call(stack.url, 'POST', '/api/v1/import/test/?name=big.tar', { type: 'docker', name: 'impd' }), imported: 'impd' },
  { runtime: 'LXC', kind: 'import', start: () => call(stack.url, 'POST', '/api/v1/import/test/?name=big.tar', { type: 'lxc', name: 'impl' }), imported: 'impl' },
];

describe('the worker process killed in the middle of a task', () => {
  for (const { runtime, kind, start, archive, imported } of CASES) {
    it(`ends a ${runtime} ${kind} as aborted by the time the restarted worker is ready, leaves nothing half-made, and the task started again completes`, async () => {
      // Prepare
      const lxcBefore = lxcEntries();
      const objectsBefore = await rootfsObjects();
      const created = await start();
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id: number = created.body.id;
      await untilInTheMiddle(stack.url, kind, id);
      // Act
      // The restarted worker aborts it before it says it is ready.
      const { task, readyAfterMs, listed } = await killAndRestart(stack.url, worker, kind, id);
      const lxcAfter = lxcEntries();
      const objectsAfter = await rootfsObjects();
      const containers = JSON.stringify((await call(stack.url, 'GET', '/api/v1/container')).body);
      const retried = await start();
      const retriedTask = retried.status === 200 ? await waitForTask(stack.url, kind, retried.body.id, 120_000) : undefined;
      // Assess
      figures.push(`${runtime} ${kind}: aborted by the time the restarted worker was ready, ${readyAfterMs} ms after it was started`);
      expect(task).toMatchObject({ state: 'aborted', result: 1, error: `stevedore host worker on ${hostname()} was restarted while this ${kind} ran; start it again` });
      if (archive) expect(listed.filter((n) => n.includes(archive))).toEqual([]);
      expect(lxcAfter).toEqual(lxcBefore);
      expect(objectsAfter).toBe(objectsBefore);
      if (imported) expect(containers).not.toContain(`"name":"${imported}"`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retriedTask).toMatchObject({ state: 'completed', result: 0 });
    }, 240_000);
  }
});
