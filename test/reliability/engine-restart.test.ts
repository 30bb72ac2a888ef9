// The Docker engine (STEVEDORE_DOCKER_RUNTIME=engine, a private dockerd) gone in the middle of an
// export and of an import (its link cut: every connection reset, new ones refused, as when dockerd
// dies; support/engine-link.ts), then back, under a running stevedore: the task ends aborted naming the engine (never left running), no partial archive is
// listed and no half-made container or image is left, the engine's containers answer 503 in the
// envelope while it is down, and once it is back the same task started again completes, with no
// restart of stevedore.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { call, waitForTask } from '../support/api.ts';
import { listedNames, putBigTarball, untilInTheMiddle, type TaskKind } from '../support/crash.ts';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.ts';
import { startEngineLink } from '../support/engine-link.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;
// Short: the socket's path must stay under the 108 bytes of a unix socket address.
const dir = mkdtempSync(join(tmpdir(), 'sd-'));
const socket = join(dir, 'docker.sock');
const daemon: DockerDaemon = await startDockerDaemon({ dir });
const link = await startEngineLink(join(dir, 'link.sock'), socket);
afterAll(async () => {
  await link.close();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});
const startEngine = () => link.restore();
const stopEngine = () => link.cut();

// Slow enough to be caught in the middle; a short lease, so a task whose worker lost track ends soon after.
const stack = useTestStack(
  { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: `unix://${link.path}`, STEVEDORE_GZIP_LEVEL: '9', STEVEDORE_UPLOAD_PART_MIB: '5', STEVEDORE_TASK_LEASE_SECONDS: '6' },
  { worker: true },
);
const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${socket}`, ...args]).toString().trim();

const figures: string[] = [];
afterAll(() => console.log(`Docker engine restarts:\n${figures.join('\n')}`));

beforeAll(async () => {
  await new DockerEngineRuntime(daemon.client).putImage('bulky', 'latest', Readable.from(packTar(incompressibleRootfs(12, 4 * MIB))));
  docker('create', '--name', 'bulky', 'bulky:latest', '/bin/sh');
  await putBigTarball(stack, 'test/big.tar', 16);
}, 180_000);

/** The engine stopped once the task is in the middle, and started again once the task ended. */
async function stopEngineDuring(kind: TaskKind, start: () => Promise<number>) {
  const id = await start();
  await untilInTheMiddle(stack.url, kind, id);
  await stopEngine();
  const stoppedAt = Date.now();
  const task = await waitForTask(stack.url, kind, id, 120_000);
  const endedAfterMs = Date.now() - stoppedAt;
  const down = await call(stack.url, 'GET', '/api/v1/container', undefined, { signal: AbortSignal.timeout(stack.cfg.pollBoundMs) });
  const listedWhileDown = await listedNames(stack.url, 'test');
  await startEngine();
  const again = await waitForTask(stack.url, kind, await start(), 120_000);
  return { task, endedAfterMs, down, listedWhileDown, again };
}

describe('the Docker engine gone in the middle of a task and back', () => {
  it('during an export: the export ends aborted naming the engine, the containers answer 503 meanwhile, no archive is listed, and the export started again completes', async () => {
    // Act
    const { task, endedAfterMs, down, listedWhileDown, again } = await stopEngineDuring('export', async () => {
      const created = await call(stack.url, 'POST', '/api/v1/container/docker/bulky/export', { path: 'test/bulky.tgz' });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      return created.body.id;
    });
    // Assess
    figures.push(`engine stopped mid-export: aborted ${endedAfterMs} ms later (${task.error}); containers meanwhile: ${down.status}`);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: expect.stringMatching(/Docker engine/) });
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: { code: 503, message: expect.stringMatching(/Docker engine/) } });
    expect(listedWhileDown).not.toContain('"name":"bulky.tgz"');
    expect(again).toMatchObject({ state: 'completed', result: 0 });
    expect(await listedNames(stack.url, 'test')).toContain('"name":"bulky.tgz"');
  }, 300_000);

  it('during an import: the import ends aborted naming the engine, no container or image of it is left, and the import started again completes', async () => {
    // Prepare
    const imagesBefore = docker('images', '-q');
    // Act
    const { task, endedAfterMs, again } = await stopEngineDuring('import', async () => {
      const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=big.tar', { type: 'docker', name: 'imported' });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      return created.body.id;
    });
    // Assess
    figures.push(`engine stopped mid-import: aborted ${endedAfterMs} ms later (${task.error})`);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: expect.stringMatching(/Docker engine/) });
    expect(again).toMatchObject({ state: 'completed', result: 0 });
    // The one made by the import started again, and nothing of the first.
    expect(docker('ps', '-a', '--format', '{{.Names}}').split('\n').sort()).toEqual(['bulky', 'imported']);
    expect(docker('images', '-q').split('\n').filter((i) => i !== '' && !imagesBefore.includes(i))).toHaveLength(1);
  }, 300_000);
});
