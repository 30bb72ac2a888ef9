// The host worker serving `docker` from a Docker Engine (STEVEDORE_DOCKER_RUNTIME=engine, a
// private dockerd) killed (SIGKILL) in the middle of an export and of an import, then started
// again: each task ends aborted with a message by the time the restarted worker is ready, no
// partial archive is ever listed, the engine holds exactly the images and containers it held
// before the task (no half-made image, no container under a staging or the real name), and the
// same task started again completes. The worker-crash.test.ts cases of the built-in runtime and
// LXC, for the engine, whose import runs inside another process that outlives the worker.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { call, waitForTask } from '../support/api.ts';
import { killAndRestart, putBigTarball, taskOf, untilInTheMiddle, type TaskKind } from '../support/crash.ts';
import { startDockerDaemon } from '../support/docker-daemon.ts';
import { hostWorkerEnv, restartableHostWorker } from '../support/host-worker.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;
const daemon = await startDockerDaemon();
afterAll(() => daemon.stop());
const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
const engineEnv = { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: `unix://${socket}` };
const stack = useTestStack({ STEVEDORE_HOST_TYPES: 'docker', ...engineEnv }, { worker: true });
const workerEnv = () => ({ ...hostWorkerEnv(stack, 'docker'), ...engineEnv, STEVEDORE_GZIP_LEVEL: '9', STEVEDORE_UPLOAD_PART_MIB: '5' });
const figures: string[] = [];
afterAll(() => console.log(`worker crash, Docker Engine (host worker, SIGKILL):\n${figures.join('\n')}`));

/** The docker CLI against the private daemon, as its user would type it. */
const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${socket}`, ...args]).toString().split('\n').filter(Boolean).sort();
/** Every image (tagged or not) and every container (any name, any state) the engine holds. */
const engineContents = () => ({ images: docker('images', '--all', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'), containers: docker('ps', '--all', '--no-trunc', '--format', '{{.ID}} {{.Names}}') });

/** The ids of every image the engine holds, dangling ones too. */
const imageIds = async () => (await daemon.client.json<{ Id: string }[]>({ method: 'GET', path: '/images/json', query: { all: true } })).map((image) => image.Id);

/** Waits until the import runs and the engine stored an image the test did not put there: the worker is between the image and the container. */
async function untilImageStored(kind: TaskKind, id: number): Promise<void> {
  const before = new Set(await imageIds());
  const deadline = Date.now() + 120_000;
  for (;;) {
    if ((await imageIds()).some((image) => !before.has(image))) return;
    const task = await taskOf(stack.url, kind, id);
    if (task?.state === 'completed' || task?.state === 'aborted') throw new Error(`the ${kind} ended before the test could kill its worker: ${JSON.stringify(task)}`);
    if (Date.now() > deadline) throw new Error(`the engine stored no image: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How long until the engine holds `expected` again (what a dead worker's requests made there removed); throws after `timeoutMs`. */
async function untilEngineHolds(expected: ReturnType<typeof engineContents>, timeoutMs = 120_000): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    const now = engineContents();
    if (JSON.stringify(now) === JSON.stringify(expected)) return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs) expect(now, 'the engine still holds leftovers of the killed import').toEqual(expected);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const worker = restartableHostWorker(workerEnv);

beforeAll(async () => {
  // 32 MiB of incompressible files: gzip level 9 takes seconds to export them, and 96 MiB take seconds to import.
  await new DockerEngineRuntime(daemon.client).putImage('bulky', 'test', packTar(incompressibleRootfs(8, 4 * MIB)));
  docker('create', '--name', 'bigd', 'bulky:test', '/bin/sh');
  await putBigTarball(stack, 'test/big.tar', 24);
  await worker.start();
}, 240_000);

const exportBigd = () => call(stack.url, 'POST', '/api/v1/container/docker/bigd/export', { path: 'test/bigd.tgz' });
const importBig = (name: string) => () => call(stack.url, 'POST', '/api/v1/import/test/?name=big.tar', { type: 'docker', name });
const CASES: { kind: TaskKind; when: string; until: (kind: TaskKind, id: number) => Promise<void>; start: () => Promise<{ status: number; body: any }>; archive?: string; imported?: string }[] = [
  { kind: 'export', when: 'in the middle of the stream', until: (kind, id) => untilInTheMiddle(stack.url, kind, id), start: exportBigd, archive: 'bigd.tgz' },
  { kind: 'import', when: 'in the middle of the stream', until: (kind, id) => untilInTheMiddle(stack.url, kind, id), start: importBig('impd'), imported: 'impd' },
  { kind: 'import', when: 'once the engine stored the image', until: untilImageStored, start: importBig('impd2'), imported: 'impd2' },
];

describe('the worker process serving a Docker Engine killed in the middle of a task', () => {
  for (const { kind, when, until, start, archive, imported } of CASES) {
    it(`ends an engine ${kind} killed ${when} as aborted by the time the restarted worker is ready, leaves the engine as it was, and the task started again completes`, async () => {
      // Prepare
      const engineBefore = engineContents();
      const created = await start();
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id: number = created.body.id;
      await until(kind, id);
      // Act
      // The restarted worker aborts it (and tidies the engine) before it says it is ready.
      const { task, readyAfterMs, listed } = await killAndRestart(stack.url, worker, kind, id);
      const containers = JSON.stringify((await call(stack.url, 'GET', '/api/v1/container')).body);
      const engineSettledMs = await untilEngineHolds(engineBefore);
      const retried = await start();
      const retriedTask = retried.status === 200 ? await waitForTask(stack.url, kind, retried.body.id, 120_000) : undefined;
      // Assess
      figures.push(`engine ${kind} killed ${when}: aborted by the time the restarted worker was ready, ${readyAfterMs} ms after it was started; the engine held what it held before ${engineSettledMs} ms after that`);
      expect(task).toMatchObject({ state: 'aborted', result: 1, error: `stevedore host worker on ${hostname()} was restarted while this ${kind} ran; start it again` });
      if (archive) expect(listed.filter((n) => n.includes(archive))).toEqual([]);
      if (imported) expect(containers).not.toContain(`"name":"${imported}"`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retriedTask).toMatchObject({ state: 'completed', result: 0 });
      if (imported) expect(docker('ps', '--all', '--format', '{{.Names}}')).toContain(imported);
    }, 240_000);
  }
});
