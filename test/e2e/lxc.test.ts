// LXC containers of a real LXC_PATH through the API (STEVEDORE_LXC_RUNTIME=lxc): a container
// made by `lxc-create -t busybox` is listed, exported with its root filesystem exactly as it is
// on the disk (owners, modes, links, device nodes), imported back as a new container LXC's own
// tools accept, with the settings asked for and the config lines it had (`.ci/run` installs lxc).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForTask } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { useTestStack } from '../support/stack.ts';

const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-e2e-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));
const stack = useTestStack({ STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath }, { worker: true });
const bucket = bucketHelpers(stack);

/** One line per entry as GNU find sees the directory: the disk's truth, independent of stevedore. */
function diskListing(root: string): string[] {
  const listing = execFileSync('find', [root, '-mindepth', '1', '-printf', '%P\\t%y\\t%m\\t%U\\t%G\\t%s\\t%l\\t%T@\\n'], { encoding: 'utf8' });
  return listing
    .trim()
    .split('\n')
    .map((line) => {
      const [path, type, mode, uid, gid, size, link, mtime] = line.split('\t');
      // Sizes of directories and links are the filesystem's own business; mtimes to the second, as tar keeps them.
      return [path, type, mode, uid, gid, type === 'f' ? size : '-', link, type === 'l' ? '-' : String(Math.floor(Number(mtime)))].join(' ');
    })
    .sort();
}

const TYPES: Record<string, string> = { file: 'f', directory: 'd', symlink: 'l', 'character-device': 'c', 'block-device': 'b', fifo: 'p' };

/** The same listing of an archive's root filesystem, with hardlinks counted as the files they share. */
async function archiveListing(bytes: Buffer): Promise<string[]> {
  const plain = bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
  const extract = tar.extract();
  Readable.from([plain]).pipe(extract as unknown as NodeJS.WritableStream);
  const lines: string[] = [];
  const files = new Map<string, tar.Header>();
  for await (const entry of extract) {
    const h = entry.header;
    entry.resume();
    if (!h.name.startsWith('rootfs/') || h.name === 'rootfs/') continue;
    const path = h.name.slice('rootfs/'.length).replace(/\/$/, '');
    const source = h.type === 'link' ? files.get(h.linkname!.replace(/^rootfs\//, '')) : h;
    if (h.type === 'file') files.set(path, h);
    const type = TYPES[source!.type!] ?? source!.type;
    const size = type === 'f' ? String(source!.size) : '-';
    const mtime = type === 'l' ? '-' : String(Math.floor(h.mtime!.getTime() / 1000));
    lines.push([path, type, (h.mode! & 0o7777).toString(8), h.uid, h.gid, size, type === 'l' ? h.linkname : '', mtime].join(' '));
  }
  return lines.sort();
}

async function exportTask(id: string, path: string): Promise<Record<string, any>> {
  const created = await call(stack.url, 'POST', `/api/v1/container/lxc/${id}/export`, { path });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return waitForTask(stack.url, 'export', created.body.id, 60_000);
}

describe('the LXC runtime through the API', () => {
  beforeAll(() => {
    execFileSync('lxc-create', ['-P', lxcPath, '-n', 'c1', '-t', 'busybox'], { stdio: 'ignore' });
  });

  it('lists the containers of LXC_PATH, named by their directories, and reads their config', async () => {
    const { status, body } = await call(stack.url, 'GET', '/api/v1/container');
    expect(status).toBe(200);
    expect(body).toContainEqual({ id: 'c1', name: 'c1', image: 'busybox:latest', state: 'stopped', type: 'lxc' });
    const all = await call(stack.url, 'GET', '/api/v1/container/lxc/c1/all');
    expect(all.body).toMatchObject({ type: 'lxc', name: 'c1', autostart: false });
  });

  it('exports the root filesystem exactly as it is on the disk, after the container\'s config', async () => {
    expect(await exportTask('c1', 'test/c1.tar')).toMatchObject({ state: 'completed', result: 0 });
    const archive = await bucket.readObject('test/c1.tar');
    expect(await archiveListing(archive)).toEqual(diskListing(join(lxcPath, 'c1', 'rootfs')));
  });

  it('imports the archive as a new container LXC accepts, with the settings asked for and the config lines it had', async () => {
    const params = { type: 'lxc', name: 'c2', autostart: true, network: { hostname: 'copy' }, resource: { limit: { memory: '768m' } } };
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=c1.tar', params);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const task = await waitForTask(stack.url, 'import', created.body.id, 60_000);
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    // The one line of lxc-create's config a host does not take from an archive: a bind of its security filesystem.
    expect(task.warnings).toEqual([expect.stringContaining('/sys/kernel/security')]);
    expect(diskListing(join(lxcPath, 'c2', 'rootfs'))).toEqual(diskListing(join(lxcPath, 'c1', 'rootfs')));

    const config = readFileSync(join(lxcPath, 'c2', 'config'), 'utf8');
    expect(config).toContain(`lxc.rootfs.path = dir:${lxcPath}/c2/rootfs`);
    expect(config).toMatch(/^lxc\.uts\.name = "?copy"?$/m);
    expect(config).toMatch(/^lxc\.start\.auto = 1$/m);
    expect(config).toMatch(/^lxc\.cgroup2?\.memory\.(max|limit_in_bytes) = (768m|805306368)$/m);
    // What maps to no setting came along: the network device, the signals, the ttys.
    for (const line of ['lxc.net.0.type = veth', 'lxc.net.0.link = lxcbr0', 'lxc.signal.halt = SIGUSR1', 'lxc.tty.max = 5']) expect(config).toContain(line);
    // LXC's own tools read it.
    expect(execFileSync('lxc-info', ['-P', lxcPath, '-n', 'c2', '-s', '-H'], { encoding: 'utf8' }).trim()).toBe('STOPPED');
    const all = await call(stack.url, 'GET', '/api/v1/container/lxc/c2/all');
    expect(all.body).toMatchObject({ name: 'c2', autostart: true, network: { hostname: 'copy' }, resource: { limit: { memory: '768m' } } });
  });

  it('mounts share volumes on directories it makes in the new root filesystem, never through one of its symlinks', async () => {
    // bin/sh is a symlink in busybox's tree: a mount point below it would be made wherever it points.
    const volume = { host: { '/test/data': { bind: '/srv/data' }, '/test/other': { bind: '/bin/sh/escape', ro: true } } };
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=c1.tar', { type: 'lxc', name: 'c3', volume });
    const task = await waitForTask(stack.url, 'import', created.body.id, 60_000);
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(task.warnings).toContainEqual('left out the volume of /test/other: its mount point /bin/sh/escape is a symlink or a file in the root filesystem');
    const config = readFileSync(join(lxcPath, 'c3', 'config'), 'utf8');
    expect(config).toMatch(/^lxc\.mount\.entry = \/share\/test\/data srv\/data none bind 0 0$/m);
    expect(config).not.toContain('escape');
    expect(diskListing(join(lxcPath, 'c3', 'rootfs')).find((line) => line.startsWith('srv/data '))).toMatch(/^srv\/data d 755 0 0 /);
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/c3/all')).body.volume).toEqual({ host: { '/test/data': { bind: '/srv/data' } } });
  });

  it('exports a root filesystem holding a socket without it, saying so on the task', async () => {
    execFileSync('lxc-create', ['-P', lxcPath, '-n', 'with-socket', '-t', 'busybox'], { stdio: 'ignore' });
    // A listening process that exits without closing leaves its socket file behind, as a crashed daemon does.
    const socket = join(lxcPath, 'with-socket', 'rootfs', 'tmp', 'daemon.sock');
    execFileSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
    const task = await exportTask('with-socket', 'test/with-socket.tar');
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(task.warnings).toEqual([expect.stringMatching(/tmp\/daemon\.sock.*socket/)]);
    const listing = await archiveListing(await bucket.readObject('test/with-socket.tar'));
    expect(listing.some((line) => line.startsWith('tmp/daemon.sock'))).toBe(false);
  });

  it('refuses to import over a directory that is there, and leaves it as it was', async () => {
    execFileSync('mkdir', ['-p', join(lxcPath, 'taken', 'rootfs')]);
    const refused = await call(stack.url, 'POST', '/api/v1/import/test/?name=c1.tar', { type: 'lxc', name: 'taken' });
    expect(refused.body).toEqual({ error: { code: 400, message: 'Container taken already exist!' } });
    expect(execFileSync('ls', ['-A', join(lxcPath, 'taken')], { encoding: 'utf8' }).trim()).toBe('rootfs');
  });

  it('imports a plain root filesystem tarball as an LXC container', async () => {
    const plain = execFileSync('tar', ['-cf', '-', '-C', join(lxcPath, 'c1', 'rootfs'), '.'], { maxBuffer: 64 * 1024 * 1024 });
    await bucket.putObject('test/plain.tar', plain);
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=plain.tar', { type: 'lxc', name: 'from-plain' });
    expect(await waitForTask(stack.url, 'import', created.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    expect(diskListing(join(lxcPath, 'from-plain', 'rootfs'))).toEqual(diskListing(join(lxcPath, 'c1', 'rootfs')));
  });

  it('imports an archive exported from a docker container as an LXC container', async () => {
    const docker = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'web', image: 'demo', tag: 'latest', network: { port: [[8080, 80, 'tcp']] } });
    expect(docker.status, JSON.stringify(docker.body)).toBe(200);
    const exported = await call(stack.url, 'POST', `/api/v1/container/docker/${docker.body.id}/export`, { path: 'test/web.tgz' });
    expect(await waitForTask(stack.url, 'export', exported.body.id, 60_000)).toMatchObject({ state: 'completed' });
    const created = await call(stack.url, 'POST', '/api/v1/import/test/?name=web.tgz', { type: 'lxc', name: 'web-lxc' });
    const task = await waitForTask(stack.url, 'import', created.body.id, 60_000);
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    // LXC has no published ports: the setting is named, not silently lost.
    expect(task.warnings).toContainEqual('left out "network.port": an LXC container\'s config has no setting for it');
    expect(execFileSync('lxc-info', ['-P', lxcPath, '-n', 'web-lxc', '-s', '-H'], { encoding: 'utf8' }).trim()).toBe('STOPPED');
    expect(diskListing(join(lxcPath, 'web-lxc', 'rootfs')).length).toBeGreaterThan(3);
  });

  it('removes a container\'s directory', async () => {
    expect((await call(stack.url, 'DELETE', '/api/v1/container/lxc/from-plain')).status).toBe(200);
    expect(execFileSync('ls', ['-A', lxcPath], { encoding: 'utf8' })).not.toMatch(/^from-plain$/m);
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/from-plain')).status).toBe(404);
  });
});
