// Container types placed on container hosts (STEVEDORE_HOST_TYPES), end to end: the stack's
// in-process worker runs only the other types, and a host worker started as a process of its
// own (`npm run worker`) takes the host types' tasks from the same stream, completes them, and
// stops cleanly on SIGTERM. `docker` is the host type here, served by the built-in runtime in
// both processes (its containers live in the table and bucket), until an adapter whose
// containers live on a host's disk exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackRecordFile } from '../../infra/local/stack-record.ts';
import { THREAD_POOL_NICE } from '../../infra/local/thread-pool-priority.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { call, waitForTask } from '../support/api.ts';
import { startHostWorker, hostWorkerEnv } from '../support/host-worker.ts';
import { exitWithin, spawnStevedore, waitUntilReady, type LocalProcess, type ReadyStevedore } from '../support/local-process.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;
const stack = useTestStack({ STEVEDORE_HOST_TYPES: 'docker' }, { worker: true });

async function newContainer(base: string, type: 'docker' | 'lxc', name: string, image = 'demo'): Promise<string> {
  const created = await call(base, 'POST', '/api/v1/container', { type, name, image, tag: 'latest' });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

async function exportOf(base: string, type: 'docker' | 'lxc', id: string, path: string): Promise<number> {
  const created = await call(base, 'POST', `/api/v1/container/${type}/${id}/export`, { path });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.id;
}

/** Each thread of a process: its id, name and nice value (/proc/PID/task/TID/stat, field 19). */
function threadsOf(pid: number): { tid: number; name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fieldsAfterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fieldsAfterName[16]) };
  });
}

const exportTask = async (base: string, id: number) => (await call<Record<string, any>[]>(base, 'GET', '/api/v1/export/')).body.find((t) => t.id === id);

describe('a container type placed on container hosts', () => {
  it('leaves a docker export waiting while the stack runs an lxc one, until a host worker process completes it; SIGTERM then stops that process with exit code 0', async () => {
    // Prepare
    const docker = await newContainer(stack.url, 'docker', 'onhost');
    const lxc = await newContainer(stack.url, 'lxc', 'onstack');
    const hosted = await exportOf(stack.url, 'docker', docker, 'test/hosted.tgz');
    const own = await exportOf(stack.url, 'lxc', lxc, 'test/own.tgz');
    // The stack's worker reads the stream in order: once the lxc export it runs is done, it has met the docker one.
    expect(await waitForTask(stack.url, 'export', own)).toMatchObject({ state: 'completed', result: 0 });
    await new Promise((r) => setTimeout(r, 1000));
    const beforeHostWorker = await exportTask(stack.url, hosted);
    // Act
    const worker = startHostWorker(hostWorkerEnv(stack, 'docker'));
    await worker.ready();
    const done = await waitForTask(stack.url, 'export', hosted);
    const stopAt = Date.now();
    const exit = await worker.stop('SIGTERM', 5000);
    const stoppedInMs = Date.now() - stopAt;
    // Assess
    expect(beforeHostWorker).toMatchObject({ state: 'waiting', type: 'docker' });
    expect(beforeHostWorker).not.toHaveProperty('start');
    expect(done).toMatchObject({ state: 'completed', result: 0 });
    const inspected = await call(stack.url, 'GET', '/api/v1/import/test/?name=hosted.tgz');
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(200);
    expect(inspected.body).toMatchObject({ type: 'docker', name: 'onhost' });
    expect(exit, worker.output()).toBe(0);
    expect(stoppedInMs).toBeLessThan(5000);
    expect(worker.output()).toContain(`stevedore-worker ready: runs the tasks of docker containers from table ${stack.cfg.tableName}, bucket ${stack.cfg.bucketName}`);
    expect(worker.output()).toMatch(/stevedore-worker: SIGTERM, stopping\nstevedore-worker: stopped\n$/);
  });

  it('compresses on threads of a lower priority than the thread that serves requests, so that a busy export leaves the cores to them first', async () => {
    // Act
    const worker = startHostWorker(hostWorkerEnv(stack, 'docker'));
    await worker.ready();
    const threads = threadsOf(worker.child.pid!);
    await worker.stop('SIGTERM', 5000);
    // Assess
    const pool = threads.filter((t) => t.name === 'libuv-worker');
    expect(pool.length, JSON.stringify(threads)).toBeGreaterThan(0);
    expect(pool.map((t) => t.nice)).toEqual(pool.map(() => THREAD_POOL_NICE));
    expect(threads.find((t) => t.tid === worker.child.pid)?.nice).toBe(0);
  });

  it('ends the export its host worker runs as aborted, naming the host, when the worker is stopped with SIGTERM, and frees its path', async () => {
    // Prepare: 64 MiB at gzip level 9 keep the export running for seconds.
    await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(64, MIB));
    const bulky = await newContainer(stack.url, 'docker', 'bulky', 'bulky');
    const worker = startHostWorker({ ...hostWorkerEnv(stack, 'docker'), STEVEDORE_GZIP_LEVEL: '9', STEVEDORE_UPLOAD_PART_MIB: '5' });
    await worker.ready();
    const id = await exportOf(stack.url, 'docker', bulky, 'test/bulky.tgz');
    const deadline = Date.now() + 20_000;
    while ((await exportTask(stack.url, id))?.state !== 'running') {
      expect(Date.now(), 'the export never ran').toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Act
    const exit = await worker.stop('SIGTERM', 10_000);
    const task = await exportTask(stack.url, id);
    const again = await call(stack.url, 'POST', `/api/v1/container/docker/${bulky}/export`, { path: 'test/bulky.tgz' });
    // Assess
    expect(exit, worker.output()).toBe(0);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: `stevedore host worker on ${hostname()} stopped (SIGTERM) while this export ran; start it again` });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  });

  it('aborts a docker export no host worker took once it waited past STEVEDORE_HOST_WAIT_MINUTES, naming the missing host worker, and frees its path', async () => {
    // Prepare
    const docker = await newContainer(stack.url, 'docker', 'forgotten');
    const id = await exportOf(stack.url, 'docker', docker, 'test/forgotten.tgz');
    // Act: the sweep as it runs 16 minutes from now, with no host worker at work.
    const swept = await sweepStaleTasks(stack.services, Date.now() + 16 * 60_000, stack.cfg);
    // Assess
    expect(swept.map((t) => t.id)).toContain(id);
    const task = await exportTask(stack.url, id);
    expect(task).toMatchObject({
      state: 'aborted',
      result: 1,
      error: 'No host worker for docker containers took this export within 15 min; start stevedore-worker with STEVEDORE_HOST_TYPES=docker on the container host, then start the export again',
    });
    expect(task?.end).toBe(task?.start);
    expect((await call(stack.url, 'POST', `/api/v1/container/docker/${docker}/export`, { path: 'test/forgotten.tgz' })).status).toBe(200);
  });

  it('refuses to start a host worker with STEVEDORE_HOST_TYPES empty, in one line naming the choices', async () => {
    const worker = startHostWorker({ ...hostWorkerEnv(stack, ''), STEVEDORE_HOST_TYPES: undefined });
    expect(await exitWithinMs(worker.exited, 15_000)).toBe(2);
    expect(worker.output().trim().split('\n')).toEqual(['stevedore-worker: STEVEDORE_HOST_TYPES is empty; name the container types whose tasks this host runs (docker, lxc)']);
  });
});

describe('a host worker beside npm start, given only its data dir', () => {
  let stevedore: ReadyStevedore;
  const spawned: LocalProcess[] = [];
  beforeAll(async () => {
    // Its own emulators, whatever this suite runs against.
    const proc = spawnStevedore({ STEVEDORE_HOST_TYPES: 'docker', AWS_ENDPOINT_URL: '' });
    spawned.push(proc);
    stevedore = await waitUntilReady(proc);
  });
  afterAll(async () => {
    for (const proc of spawned) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  });

  it('finds npm start\'s emulators, table and bucket from the data dir when no endpoint is set, and npm start takes the record back when it stops', async () => {
    // Prepare
    const record = JSON.parse(readFileSync(stackRecordFile(stevedore.dataDir), 'utf8'));
    const docker = await newContainer(stevedore.url, 'docker', 'beside');
    const id = await exportOf(stevedore.url, 'docker', docker, 'test/beside.tgz');
    // Act
    const worker = startHostWorker({
      STEVEDORE_HOST_TYPES: 'docker',
      STEVEDORE_DATA_DIR: stevedore.dataDir,
      ...Object.fromEntries(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3', 'STEVEDORE_TABLE', 'STEVEDORE_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((name) => [name, undefined])),
    });
    await worker.ready();
    const done = await waitForTask(stevedore.url, 'export', id);
    const workerExit = await worker.stop('SIGTERM', 5000);
    stevedore.child.kill('SIGTERM');
    const stevedoreExit = await exitWithin(stevedore, 15_000);
    // Assess
    expect(record).toMatchObject({ pid: stevedore.child.pid, dynamoEndpoint: stevedore.dynamoEndpoint, s3Endpoint: stevedore.s3Endpoint, tableName: stack.cfg.tableName });
    expect(worker.output()).toContain(
      `stevedore-worker: using the embedded stack of npm start (pid ${stevedore.child.pid}): DynamoDB Local on ${stevedore.dynamoEndpoint}, s3rver on ${stevedore.s3Endpoint}\n`,
    );
    expect(done).toMatchObject({ state: 'completed', result: 0 });
    expect(workerExit, worker.output()).toBe(0);
    expect(stevedoreExit).toBe(0);
    expect(existsSync(stackRecordFile(stevedore.dataDir))).toBe(false);
  });
});

function exitWithinMs(exited: Promise<number | string>, ms: number): Promise<number | string> {
  return Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms))]);
}
