// Docker containers of a real engine through the API (STEVEDORE_DOCKER_RUNTIME=engine), on a
// private daemon: listed next to the built-in LXC ones, addressed as Docker does, exported with
// the same root filesystem `docker export` gives, imported back with the settings asked for,
// and a 503 when the engine cannot be reached (`.ci/run` installs Debian's docker.io).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { call, waitForTask } from '../support/api.ts';
import { buildTar } from '../support/archives.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { isEngineStub, startDockerDaemon } from '../support/docker-daemon.ts';
import { useTestStack } from '../support/stack.ts';
import { snapshotTar, under, type EntrySnapshot } from '../support/tar-snapshot.ts';

const daemon = await startDockerDaemon();
afterAll(() => daemon.stop());
/** The adapter itself, for putting the test images into the engine as `docker import` would. */
const engine = new DockerEngineRuntime(daemon.client);

const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
const stack = useTestStack({ STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: `unix://${socket}` }, { worker: true });
const bucket = bucketHelpers(stack);

/** The docker CLI against the private daemon, as a user of it would type. */
const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${socket}`, ...args], { maxBuffer: 256 * 1024 * 1024 });
/** The engine's image ids, in an order of their own: `docker images` lists images made in the same second in any order. */
const imageIds = () => docker('images', '-q', '--no-trunc').toString().trim().split('\n').sort();

/** A busybox root filesystem with every kind of entry an export must keep. */
function busyboxRootfs(): Promise<Buffer> {
  return buildTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', content: readFileSync('/bin/busybox'), mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/ls', type: 'symlink', linkname: '/bin/busybox' },
    { name: 'bin/busybox-hardlink', type: 'link', linkname: 'bin/busybox' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    { name: 'usr/', type: 'directory' },
    { name: 'usr/bin/', type: 'directory' },
    { name: 'usr/bin/su', content: '#!/bin/sh\n', mode: 0o4755 },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'var/', type: 'directory' },
    { name: 'var/empty/', type: 'directory', mode: 0o700 },
  ]);
}

/** `bytes` of log-like text: compressible, but not so uniform that deflate skips through it. */
function logLines(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let state = 12345;
  for (let at = 0; at < bytes; ) {
    state = (state * 1103515245 + 12345) >>> 0;
    at += out.write(`${state.toString(36)} worker ${state % 997} exported ${(state >>> 8) % 65536} bytes of layer ${state % 13}\n`, at);
  }
  return out;
}

const byName = (entries: EntrySnapshot[]) => [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));

async function exportTask(id: string, path: string): Promise<Record<string, any>> {
  const created = await call(stack.url, 'POST', `/api/v1/container/docker/${id}/export`, { path });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return waitForTask(stack.url, 'export', created.body.id, 60_000);
}

describe('the Docker Engine runtime through the API', () => {
  let containerId = '';
  beforeAll(async () => {
    await engine.putImage('busybox', 'test', Readable.from([await busyboxRootfs()]));
    containerId = docker('create', '--name', 'bb', '--hostname', 'original', 'busybox:test', '/bin/sh').toString().trim();
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'beside', image: 'demo', tag: 'latest' })).status).toBe(200);
  });

  it('lists the engine\'s containers next to the built-in LXC ones', async () => {
    const { status, body } = await call(stack.url, 'GET', '/api/v1/container');
    expect(status).toBe(200);
    expect(body).toContainEqual({ id: containerId, name: 'bb', image: 'busybox:test', state: 'stopped', type: 'docker' });
    expect(body).toContainEqual(expect.objectContaining({ id: 'beside', type: 'lxc' }));
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds a container by its full id, a prefix of 12 hex characters or its name, and not by a shorter prefix', async () => {
    for (const address of [containerId, containerId.slice(0, 12), 'bb']) {
      const found = await call(stack.url, 'GET', `/api/v1/container/docker/${address}`);
      expect(found.body, address).toEqual({ id: containerId, name: 'bb', image: 'busybox:test', state: 'stopped', type: 'docker' });
    }
    expect((await call(stack.url, 'GET', `/api/v1/container/docker/${containerId.slice(0, 11)}`)).status).toBe(404);
    const all = await call(stack.url, 'GET', '/api/v1/container/docker/bb/all');
    expect(all.body).toMatchObject({ type: 'docker', name: 'bb', image: 'busybox', autostart: false, network: { hostname: 'original' }, command: ['/bin/sh'] });
  });

  it('exports the root filesystem `docker export` gives, after the container\'s config', async () => {
    const task = await exportTask('bb', 'test/bb.tar');
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    const archive = await snapshotTar(await bucket.readObject('test/bb.tar'));
    expect(archive[0]?.name).toBe('config.json');
    expect(byName(under(archive, 'rootfs'))).toEqual(byName(await snapshotTar(docker('export', 'bb'))));
  });

  it('imports the archive as a new container with the settings asked for, whose `docker export` equals the original\'s', async () => {
    await exportTask('bb', 'test/bb-copy.tgz');
    const params = { type: 'docker', name: 'bb-copy', autostart: true, network: { hostname: 'copy', port: [[8080, 80, 'tcp']] }, resource: { limit: { memory: '768m' } } };
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=bb-copy.tgz', params);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(await waitForTask(stack.url, 'import', created.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    const inspect = JSON.parse(docker('inspect', 'bb-copy').toString())[0];
    expect(inspect.Config.Hostname).toBe('copy');
    expect(inspect.HostConfig.Memory).toBe(768 * 1024 * 1024);
    expect(inspect.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    expect(inspect.HostConfig.RestartPolicy.Name).toBe('always');
    expect(byName(await snapshotTar(docker('export', 'bb-copy')))).toEqual(byName(await snapshotTar(docker('export', 'bb'))));
  });

  it('refuses to import under the name of an engine container, and creates nothing', async () => {
    const images = imageIds();
    const refused = await call(stack.url, 'POST', '/api/v1/import/test/?name=bb.tar', { type: 'docker', name: 'bb' });
    expect(refused.body).toEqual({ error: { code: 400, message: 'Container bb already exist!' } });
    expect(imageIds()).toEqual(images);
  });

  it('imports a plain `docker export` tarball as a docker container', async () => {
    await bucket.putObject('test/plain.tar', docker('export', 'bb'));
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=plain.tar', { type: 'docker', name: 'from-plain' });
    expect(await waitForTask(stack.url, 'import', created.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    expect(byName(await snapshotTar(docker('export', 'from-plain')))).toEqual(byName(await snapshotTar(docker('export', 'bb'))));
  });

  it('creates an engine container from an image the engine has, and removes it', async () => {
    const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'made', image: 'busybox', tag: 'test', environment: ['A=1'], network: { hostname: 'made' } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ name: 'made', image: 'busybox:test', state: 'stopped', type: 'docker', id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const inspect = JSON.parse(docker('inspect', 'made').toString())[0];
    expect(inspect.Config).toMatchObject({ Hostname: 'made', Env: expect.arrayContaining(['A=1']) });
    // The engine names a container without a hostname after its id: that is no setting to copy.
    const plain = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'unnamed-host', image: 'busybox', tag: 'test' });
    expect((await call(stack.url, 'GET', `/api/v1/container/docker/${plain.body.id}/all`)).body.network).toEqual({});
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'made2', image: 'absent', tag: 'latest' })).body).toEqual({ error: { code: 404, message: 'Image absent:latest not found' } });
    expect((await call(stack.url, 'DELETE', `/api/v1/container/docker/${created.body.id}`)).status).toBe(200);
    expect(docker('ps', '-a', '-q', '--filter', 'name=^/made$').toString().trim()).toBe('');
    expect((await call(stack.url, 'DELETE', `/api/v1/container/docker/${created.body.id}`)).status).toBe(404);
  });

  it('answers 400 with the engine\'s reason for settings it refuses, and creates nothing', async () => {
    // The engine refuses an environment entry without a name; the API's schema does not know every engine's rules.
    const refused = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'tiny', image: 'busybox', tag: 'test', environment: ['=oops'] });
    expect(refused.body).toEqual({ error: { code: 400, message: "The Docker engine refused the container's settings: invalid environment variable: =oops" } });
    expect(refused.status).toBe(400);
    expect(docker('ps', '-a', '-q', '--filter', 'name=^/tiny$').toString().trim()).toBe('');

    await exportTask('bb', 'test/bb-for-tiny.tar');
    const images = imageIds();
    const imported = await call(stack.url, 'POST', '/api/v1/import/test/?name=bb-for-tiny.tar', { type: 'docker', name: 'tiny', environment: ['=oops'] });
    expect(await waitForTask(stack.url, 'import', imported.body.id, 60_000)).toMatchObject({ state: 'aborted', error: expect.stringMatching(/^The Docker engine refused the container's settings: /) });
    expect(imageIds()).toEqual(images);
    expect(docker('ps', '-a', '-q', '--filter', 'name=^/tiny$').toString().trim()).toBe('');
  });

  it('imports an archive exported from a built-in LXC container as a docker container', async () => {
    const exported = await call(stack.url, 'POST', '/api/v1/container/lxc/beside/export', { path: 'test/from-lxc.tar' });
    expect(await waitForTask(stack.url, 'export', exported.body.id, 60_000)).toMatchObject({ state: 'completed' });
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=from-lxc.tar', { type: 'docker', name: 'from-lxc' });
    expect(await waitForTask(stack.url, 'import', created.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    const archive = under(await snapshotTar(await bucket.readObject('test/from-lxc.tar')), 'rootfs');
    const engine = await snapshotTar(docker('export', 'from-lxc'));
    const ours = (e: EntrySnapshot) => !isEngineStub(e.name);
    expect(byName(engine.filter(ours))).toEqual(byName(archive.filter(ours)));
  });

  // Last: it stops the daemon.
  it('aborts an export with a message when the engine stops in the middle, writes nothing, and answers 503 while it is down', async () => {
    // Text, which gzip has to work on (random bytes are stored as they are, and read to their end
    // before the engine stops): the engine's stream waits on the compression, so it is still open.
    const bulky = await buildTar([{ name: 'blob', content: logLines(160 * 1024 * 1024) }]);
    await engine.putImage('bulky', 'test', Readable.from([bulky]));
    docker('create', '--name', 'bulky', 'bulky:test', '/blob');
    const created = await call(stack.url, 'POST', '/api/v1/container/docker/bulky/export', { path: 'test/bulky.tgz' });
    // In the middle: the engine's bytes are flowing (progress counted), not merely the task claimed.
    for (let streaming = false; !streaming; await new Promise((r) => setTimeout(r, 20))) {
      const task = (await call(stack.url, 'GET', '/api/v1/export/')).body.find((t: { id: number }) => t.id === created.body.id);
      expect(task?.state, 'the export ended before the engine was stopped').not.toMatch(/completed|aborted/);
      streaming = task?.state === 'running' && task.progress >= 1;
    }
    await daemon.stop();
    const task = await waitForTask(stack.url, 'export', created.body.id, 60_000);
    expect(task).toMatchObject({ state: 'aborted', result: 1 });
    expect(task.error).toMatch(/^The Docker engine at unix:\/\/\S+ stopped in the middle of the export; nothing was written/);
    expect(await bucket.objectExists('test/bulky.tgz')).toBe(false);

    const listed = await call(stack.url, 'GET', '/api/v1/container');
    expect(listed.status).toBe(503);
    expect(listed.body.error).toEqual({ code: 503, message: expect.stringMatching(/^The Docker engine at unix:\/\/.+ cannot be reached \(E[A-Z]+\)$/) });
    expect((await call(stack.url, 'GET', '/api/v1/container/docker/bb')).status).toBe(503);
    expect((await call(stack.url, 'POST', '/api/v1/container/docker/bb/export', { path: 'test/down.tar' })).status).toBe(503);
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/beside')).status).toBe(200);
  });
});
