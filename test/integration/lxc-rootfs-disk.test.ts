// The LXC runtime's root filesystems on a real disk: a tree with every kind of file walked
// into archive entries and written back the same, the walk checked against GNU tar's, a
// running container changing its tree under the walk, and hostile entries written into a
// staging directory, each leaving everything outside it exactly as it was. Runs as root.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { appendFile, chmod, chown, link, lstat, lutimes, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import tarStream from 'tar-stream';
import type { TarHeader as Header } from '../../lib/archive/entry.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { ArchiveError } from '../../lib/archive/errors.ts';
import { packTar } from '../../lib/archive/pack.ts';
import { readArchive } from '../../lib/archive/unpack.ts';
import { estimateRootfsBytes, walkRootfs } from '../../lib/lxc/walk-rootfs.ts';
import { writeRootfs } from '../../lib/lxc/write-rootfs.ts';
import { buildTar, collect, plainRootfsEntries } from '../support/archives.ts';
import { digestBody } from '../support/tar-snapshot.ts';

const run = promisify(execFile);

const scratchDirs: string[] = [];
afterEach(async () => {
  await Promise.all(scratchDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stevedore-lxc-disk-'));
  scratchDirs.push(dir);
  return dir;
}

/** Collects what a walk or a write warns about. */
function warnings() {
  const messages: string[] = [];
  return { messages, warn: (message: string) => messages.push(message) };
}

// ---------------------------------------------------------------------------------------------
// Trees on disk, described by lstat

interface NodeInfo {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  nlink: number;
  size?: number;
  sha256?: string;
  target?: string;
  rdev?: number;
}

interface TreeDescription {
  nodes: Record<string, NodeInfo>;
  /** Names that share an inode, each group sorted. */
  hardlinks: string[][];
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return 'unknown';
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Everything under `root` (not root itself), by lstat: nothing is followed. */
async function describeTree(root: string, leaveOut: (path: string) => boolean = () => false): Promise<TreeDescription> {
  const nodes: Record<string, NodeInfo> = {};
  const inodes = new Map<number, string[]>();
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      if (leaveOut(path)) continue;
      const full = join(dir, name);
      const stats = await lstat(full);
      const info: NodeInfo = {
        type: kindOf(stats),
        mode: stats.mode & 0o7777,
        uid: stats.uid,
        gid: stats.gid,
        mtime: Math.floor(stats.mtimeMs / 1000),
        nlink: stats.nlink,
      };
      if (stats.isFile()) {
        const content = await readFile(full);
        Object.assign(info, { size: stats.size, sha256: sha256(content) });
        if (stats.nlink > 1) inodes.set(stats.ino, [...(inodes.get(stats.ino) ?? []), path]);
      }
      if (stats.isSymbolicLink()) Object.assign(info, { size: stats.size, target: await readlink(full) });
      if (stats.isCharacterDevice() || stats.isBlockDevice()) info.rdev = stats.rdev;
      nodes[path] = info;
      if (stats.isDirectory()) await visit(full, path);
    }
  };
  await visit(root, '');
  const hardlinks = [...inodes.values()].map((names) => names.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
  return { nodes, hardlinks };
}

// ---------------------------------------------------------------------------------------------
// A root filesystem with every kind of entry

const BASE_MTIME = Date.parse('2023-05-01T10:00:00Z');

/** Every kind the walk knows; the socket is the one kind no tar can carry. */
async function buildEveryKind(root: string): Promise<{ server: Server; big: Buffer }> {
  const big = randomBytes(3 * 1024 * 1024 + 12345);
  const dirs: [string, number, number?, number?][] = [
    ['dev', 0o755],
    ['etc', 0o755],
    ['home', 0o755],
    ['home/demo', 0o700, 1000, 1000],
    ['run', 0o755],
    ['tmp', 0o1777],
    ['usr', 0o755],
    ['usr/bin', 0o755],
    ['usr/lib', 0o755],
    ['var', 0o755],
    ['var/empty', 0o700],
  ];
  for (const [path, mode, uid, gid] of dirs) {
    await mkdir(join(root, path));
    await chmod(join(root, path), mode);
    if (uid !== undefined) await chown(join(root, path), uid, gid!);
  }
  const files: [string, string | Buffer, number, number?, number?][] = [
    ['etc/hostname', 'lxc-demo\n', 0o644],
    ['etc/motd', '', 0o644],
    ['etc/shadow', 'root:*:19723:0:99999:7:::\n', 0o000, 0, 42],
    ['home/demo/.profile', 'export PATH=/bin:/usr/bin\n', 0o640, 1000, 1000],
    ['usr/bin/busybox', randomBytes(70_000), 0o755],
    ['usr/bin/passwd', 'setuid root\n', 0o4755],
    ['usr/bin/wall', 'setgid tty\n', 0o2755, 0, 5],
    ['usr/lib/big.bin', big, 0o644],
  ];
  for (const [path, content, mode, uid, gid] of files) {
    await writeFile(join(root, path), content);
    if (uid !== undefined) await chown(join(root, path), uid, gid!);
    await chmod(join(root, path), mode);
  }
  await link(join(root, 'usr/bin/busybox'), join(root, 'usr/bin/sh'));
  await link(join(root, 'usr/bin/busybox'), join(root, 'usr/lib/busybox.hard'));
  await symlink('usr/bin', join(root, 'bin'));
  await symlink('/usr/share/zoneinfo/Etc/UTC', join(root, 'etc/localtime'));
  await symlink('../nowhere/at/all', join(root, 'etc/dangling'));
  await symlink('/etc', join(root, 'host-etc'));
  await lutimes(join(root, 'bin'), new Date(BASE_MTIME), new Date(BASE_MTIME));
  await run('mknod', ['-m', '0666', join(root, 'dev/null'), 'c', '1', '3']);
  await run('mknod', ['-m', '0660', join(root, 'dev/loop7'), 'b', '7', '7']);
  await chown(join(root, 'dev/loop7'), 0, 6);
  await run('mkfifo', ['-m', '0600', join(root, 'run/initctl')]);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(root, 'run/control.sock'), resolve));

  // Distinct mtimes, deepest first so that setting one does not change its directory's.
  const described = await describeTree(root);
  const paths = Object.keys(described.nodes).sort((a, b) => b.split('/').length - a.split('/').length);
  for (const [index, path] of paths.entries()) {
    const when = new Date(BASE_MTIME + index * 61_000);
    await lutimes(join(root, path), when, when);
  }
  return { server, big };
}

async function withEveryKind<T>(use: (root: string, big: Buffer) => Promise<T>): Promise<T> {
  const root = join(await scratch(), 'rootfs');
  await mkdir(root);
  const { server, big } = await buildEveryKind(root);
  try {
    return await use(root, big);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// Entries as an archive gives them

interface Spec {
  name: string;
  type?: NonNullable<Header['type']>;
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
}

const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

async function* entriesOf(specs: Spec[]): AsyncGenerator<ArchiveEntry> {
  for (const spec of specs) {
    const type = spec.type ?? 'file';
    const content = Buffer.from(spec.content ?? '');
    const header: Header = {
      name: spec.name,
      type,
      mode: spec.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: spec.uid ?? 0,
      gid: spec.gid ?? 0,
      uname: '',
      gname: '',
      size: type === 'file' ? content.length : 0,
      mtime: spec.mtime ?? FIXED_MTIME,
      linkname: spec.linkname ?? '',
      devmajor: spec.devmajor ?? 0,
      devminor: spec.devminor ?? 0,
    };
    yield { header, body: halves(type === 'file' ? content : Buffer.alloc(0)) };
  }
}

/** A body in two chunks, as a tar reader gives it: a writer must not expect it whole. */
async function* halves(content: Buffer): AsyncGenerator<Buffer> {
  if (content.length === 0) return;
  const middle = Math.ceil(content.length / 2);
  yield content.subarray(0, middle);
  if (middle < content.length) yield content.subarray(middle);
}

const file = (name: string, content: string, more: Partial<Spec> = {}): Spec => ({ name, content, ...more });
const directory = (name: string, more: Partial<Spec> = {}): Spec => ({ name, type: 'directory', ...more });
const symlinkTo = (name: string, linkname: string): Spec => ({ name, type: 'symlink', linkname });
const hardlinkTo = (name: string, linkname: string): Spec => ({ name, type: 'link', linkname });

// ---------------------------------------------------------------------------------------------
// Tars read back with tar-stream directly

interface TarItem {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  sha256: string;
}

const bare = (name: string) => name.replace(/^\.\//, '').replace(/\/$/, '');

function itemOf(header: Header, digest: { size: number; sha256: string }): TarItem {
  return {
    name: bare(header.name),
    type: header.type ?? 'file',
    mode: header.mode & 0o7777,
    uid: header.uid,
    gid: header.gid,
    size: digest.size,
    mtime: Math.floor(header.mtime.getTime() / 1000),
    linkname: header.type === 'link' ? bare(header.linkname ?? '') : (header.linkname ?? ''),
    devmajor: header.type?.endsWith('-device') ? header.devmajor : 0,
    devminor: header.type?.endsWith('-device') ? header.devminor : 0,
    sha256: digest.sha256,
  };
}

async function readTar(bytes: Buffer): Promise<TarItem[]> {
  const extract = tarStream.extract();
  Readable.from([bytes]).pipe(extract as unknown as NodeJS.WritableStream);
  const items: TarItem[] = [];
  for await (const entry of extract) items.push(itemOf(entry.header as Header, await digestBody(entry as AsyncIterable<Buffer>)));
  return items;
}

async function itemsOf(entries: AsyncIterable<ArchiveEntry>): Promise<TarItem[]> {
  const items: TarItem[] = [];
  for await (const { header, body } of entries) items.push(itemOf(header, await digestBody(body)));
  return items;
}

// ---------------------------------------------------------------------------------------------

describe('an LXC root filesystem walked and written back', () => {
  it('comes back identical: kinds, modes with setuid, setgid and sticky, owners, mtimes, contents, link targets and shared inodes', async () => {
    await withEveryKind(async (source) => {
      // Prepare
      const target = join(await scratch(), 'rootfs');
      await mkdir(target);
      const walked = warnings();
      const written = warnings();

      // Act
      await writeRootfs(target, walkRootfs(source, walked.warn), { warn: written.warn, preserveOwnership: true });

      // Assess
      const before = await describeTree(source, (path) => path === 'run/control.sock');
      const after = await describeTree(target);
      expect(after).toEqual(before);
      expect(after.hardlinks).toEqual([['usr/bin/busybox', 'usr/bin/sh', 'usr/lib/busybox.hard']]);
      expect(after.nodes['usr/bin/passwd']).toMatchObject({ mode: 0o4755, uid: 0 });
      expect(after.nodes['usr/bin/wall']).toMatchObject({ mode: 0o2755, gid: 5 });
      expect(after.nodes.tmp).toMatchObject({ type: 'directory', mode: 0o1777 });
      expect(after.nodes['home/demo']).toMatchObject({ mode: 0o700, uid: 1000, gid: 1000 });
      expect(after.nodes['etc/shadow']).toMatchObject({ mode: 0o000, gid: 42 });
      expect(after.nodes['dev/null']).toMatchObject({ type: 'character-device', rdev: before.nodes['dev/null']!.rdev });
      expect(after.nodes['host-etc']).toMatchObject({ type: 'symlink', target: '/etc' });
      expect(after.nodes['run/initctl']?.type).toBe('fifo');
      expect(walked.messages).toEqual(['skipped "run/control.sock": sockets cannot be archived']);
      expect(written.messages).toEqual([]);
    });
  });

  it('gives the entries GNU tar gives with --sort=name, in the same order, hardlinks naming the first path', async () => {
    await withEveryKind(async (source) => {
      // Prepare
      const gnu = await run('tar', ['--sort=name', '--numeric-owner', '-cf', '-', '-C', source, '.'], {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C' },
      });

      // Act
      const walked = await itemsOf(walkRootfs(source, () => undefined));
      const again = await itemsOf(walkRootfs(source, () => undefined));

      // Assess
      const fromGnuTar = (await readTar(gnu.stdout)).filter((item) => item.name !== '' && item.name !== '.');
      expect(walked).toEqual(fromGnuTar);
      expect(again).toEqual(walked);
      expect(walked.filter((item) => item.type === 'link').map((item) => [item.name, item.linkname])).toEqual([
        ['usr/bin/sh', 'usr/bin/busybox'],
        ['usr/lib/busybox.hard', 'usr/bin/busybox'],
      ]);
    });
  });

  it('names entries as the runtimes do: relative, no "./", no trailing slash, directories included, no entry for the root', async () => {
    await withEveryKind(async (source) => {
      // Act
      const names = (await itemsOf(walkRootfs(source, () => undefined))).map((item) => item.name);

      // Assess
      expect(names.slice(0, 6)).toEqual(['bin', 'dev', 'dev/loop7', 'dev/null', 'etc', 'etc/dangling']);
      expect(names).toContain('var/empty');
      expect(names.filter((name) => name === '' || name.startsWith('.') || name.startsWith('/') || name.endsWith('/'))).toEqual([]);
    });
  });

  it('estimates the bytes the walk reads: regular files only, a hardlinked file once', async () => {
    await withEveryKind(async (source, big) => {
      // Act
      const estimate = await estimateRootfsBytes(source);
      let bodyBytes = 0;
      for await (const { body } of walkRootfs(source, () => undefined)) for await (const chunk of body) bodyBytes += chunk.length;

      // Assess
      const contents = ['lxc-demo\n', 'root:*:19723:0:99999:7:::\n', 'export PATH=/bin:/usr/bin\n', 'setuid root\n', 'setgid tty\n'];
      const expected = contents.reduce((sum, text) => sum + text.length, 0) + 70_000 + big.length;
      expect(estimate).toBe(expected);
      expect(bodyBytes).toBe(expected);
    });
  });

  it('gives a large file as a stream of bounded chunks, read only as they are asked for', async () => {
    await withEveryKind(async (source, big) => {
      // Prepare
      const walk = walkRootfs(source, () => undefined)[Symbol.asyncIterator]();
      let entry = await walk.next();
      while (!entry.done && entry.value.header.name !== 'usr/lib/big.bin') entry = await walk.next();
      if (entry.done) throw new Error('the walk has no usr/lib/big.bin');

      // Act
      const chunks: Buffer[] = [];
      const body = entry.value.body[Symbol.asyncIterator]();
      const first = await body.next();
      if (!first.done) chunks.push(first.value);
      // What is not read yet comes from the disk when it is asked for, not from a copy.
      await writeFile(join(source, 'usr/lib/big.bin'), Buffer.alloc(big.length, 0x5a));
      for (let next = await body.next(); !next.done; next = await body.next()) chunks.push(next.value);
      await walk.return?.();

      // Assess
      const sizes = chunks.map((chunk) => chunk.length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(big.length);
      expect(chunks[0]).toEqual(big.subarray(0, sizes[0]));
      expect(chunks.slice(1).every((chunk) => chunk.every((byte) => byte === 0x5a))).toBe(true);
      expect(sizes.length).toBeGreaterThan(10);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024);
    });
  });

  it('stops with the abort reason once its signal is aborted', async () => {
    await withEveryKind(async (source) => {
      // Prepare
      const controller = new AbortController();
      const reason = new Error('export cancelled');
      const seen: string[] = [];

      // Act
      const walking = (async () => {
        for await (const { header, body } of walkRootfs(source, () => undefined, controller.signal)) {
          seen.push(header.name);
          for await (const _ of body);
          if (header.name === 'etc') controller.abort(reason);
        }
      })();
      const aborted = new AbortController();
      aborted.abort(reason);

      // Assess
      await expect(walking).rejects.toBe(reason);
      expect(seen.at(-1)).toBe('etc');
      await expect(estimateRootfsBytes(source, aborted.signal)).rejects.toBe(reason);
    });
  });
  it('stays on the root\'s filesystem: a filesystem mounted inside is exported as an empty directory, with a warning', async () => {
    // Prepare
    const root = join(await scratch(), 'rootfs');
    await mkdir(join(root, 'mnt/host'), { recursive: true });
    await writeFile(join(root, 'mnt/before'), 'before\n');
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'stevedore-test', join(root, 'mnt/host')]);
    try {
      await writeFile(join(root, 'mnt/host/elsewhere'), 'on another filesystem\n');
      const { messages, warn } = warnings();

      // Act
      const items = await itemsOf(walkRootfs(root, warn));
      const estimate = await estimateRootfsBytes(root);

      // Assess
      expect(items.map((item) => [item.name, item.type])).toEqual([
        ['mnt', 'directory'],
        ['mnt/before', 'file'],
        ['mnt/host', 'directory'],
      ]);
      expect(messages).toEqual(['"mnt/host" is another filesystem mounted in the root filesystem: its contents are not exported']);
      expect(estimate).toBe('before\n'.length);
    } finally {
      await run('umount', [join(root, 'mnt/host')]);
    }
  });

  it('leaves out names that are not UTF-8, with a warning, and archives the others', async () => {
    // Prepare
    const root = join(await scratch(), 'rootfs');
    await mkdir(root);
    await writeFile(Buffer.concat([Buffer.from(`${root}/latin1-`), Buffer.from([0xe9, 0x74, 0xe9])]), 'not UTF-8');
    await writeFile(join(root, 'été'), 'UTF-8');
    const { messages, warn } = warnings();

    // Act
    const items = await itemsOf(walkRootfs(root, warn));
    const estimate = await estimateRootfsBytes(root);

    // Assess
    expect(items.map((item) => item.name)).toEqual(['été']);
    expect(messages).toEqual(['skipped "latin1-\ufffdt\ufffd": its name is not UTF-8']);
    expect(estimate).toBe(Buffer.byteLength('UTF-8'));
  });
});

describe('a walk of a root filesystem that changes while it is read', () => {
  /** Passes the walk's entries on, doing what `changes` says for a name once its header is out. */
  async function* changing(entries: AsyncIterable<ArchiveEntry>, changes: Record<string, () => Promise<void>>): AsyncGenerator<ArchiveEntry> {
    for await (const entry of entries) {
      await changes[entry.header.name]?.();
      yield entry;
    }
  }

  it('warns about files and directories that vanish, pads a file that shrinks, and still gives a valid tar', async () => {
    // Prepare
    const root = join(await scratch(), 'rootfs');
    const original = randomBytes(600_000);
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(join(root, 'd/sub'), { recursive: true });
    for (const name of ['a/1', 'a/2', 'a/3', 'd/1', 'd/2', 'd/sub/x', 'z']) await writeFile(join(root, name), `${name}\n`);
    await writeFile(join(root, 'big'), original);
    await writeFile(join(root, 'grows'), 'twelve bytes');
    const { messages, warn } = warnings();

    // Act
    const tar = await collect(
      packTar(
        changing(walkRootfs(root, warn), {
          'a/1': () => rm(join(root, 'a/2')),
          big: () => truncate(join(root, 'big'), 1000),
          'd/1': () => rm(join(root, 'd'), { recursive: true }),
          grows: () => appendFile(join(root, 'grows'), ' and more'),
        }),
      ),
    );

    // Assess
    const items = await readTar(tar);
    expect(items.map((item) => item.name)).toEqual(['a', 'a/1', 'a/3', 'big', 'd', 'd/1', 'grows', 'z']);
    const shrunk = Buffer.concat([original.subarray(0, 1000), Buffer.alloc(original.length - 1000)]);
    expect(items.find((item) => item.name === 'big')).toMatchObject({ size: original.length, sha256: sha256(shrunk) });
    expect(items.find((item) => item.name === 'grows')).toMatchObject({ size: 12, sha256: sha256(Buffer.from('twelve bytes')) });
    expect(messages).toEqual([
      '"a/2" vanished or changed while the root filesystem was read: it is not exported',
      `"big" shrank by ${original.length - 1000} bytes while it was read: they are archived as zeros`,
      '"d/2" vanished or changed while the root filesystem was read: it is not exported',
      '"d/sub" vanished or changed while the root filesystem was read: it is not exported',
      '"grows" changed while it was read: it is archived as read, 12 bytes',
    ]);
  });

  it('keeps reading a directory it is in when the container swaps it for a symlink to the host', async () => {
    // Prepare
    const base = await scratch();
    const root = join(base, 'rootfs');
    const host = join(base, 'host');
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(host);
    for (const name of ['1', '2', '3']) {
      await writeFile(join(root, 'a', name), 'inside\n');
      await writeFile(join(host, name), 'HOST SECRET\n');
    }
    await writeFile(join(root, 'b'), 'b\n');

    // Act
    const items = await itemsOf(
      changing(walkRootfs(root, () => undefined), {
        'a/1': async () => {
          await rename(join(root, 'a'), join(base, 'moved-out'));
          await symlink(host, join(root, 'a'));
        },
      }),
    );

    // Assess
    expect(items.map((item) => item.name)).toEqual(['a', 'a/1', 'a/2', 'a/3', 'b']);
    const inside = sha256(Buffer.from('inside\n'));
    expect(items.filter((item) => item.name.startsWith('a/')).map((item) => item.sha256)).toEqual([inside, inside, inside]);
  });

  it('gives a symlink to a directory outside the root as a symlink, and nothing from where it points', async () => {
    // Prepare
    const base = await scratch();
    const root = join(base, 'rootfs');
    await mkdir(join(base, 'host'));
    await writeFile(join(base, 'host/secret'), 'HOST SECRET\n');
    await mkdir(root);
    await symlink(join(base, 'host'), join(root, 'absolute'));
    await symlink('../host', join(root, 'relative'));

    // Act
    const items = await itemsOf(walkRootfs(root, () => undefined));
    const estimate = await estimateRootfsBytes(root);

    // Assess
    expect(items.map((item) => [item.name, item.type, item.linkname])).toEqual([
      ['absolute', 'symlink', join(base, 'host')],
      ['relative', 'symlink', '../host'],
    ]);
    expect(estimate).toBe(0);
  });
});

describe('writing archive entries into a staging directory', () => {
  /** A staging directory beside an "outside" directory and a decoy file that must never change. */
  async function stagingBesideOutside() {
    const base = await scratch();
    const staging = join(base, 'staging');
    const outside = join(base, 'outside');
    await mkdir(staging);
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'the host secret\n');
    await chmod(join(outside, 'secret'), 0o600);
    await writeFile(join(base, 'decoy'), 'decoy\n');
    const notStaging = (path: string) => path === 'staging' || path.startsWith('staging/');
    const before = await describeTree(base, notStaging);
    expect(Object.keys(before.nodes)).toEqual(['decoy', 'outside', 'outside/secret']);
    const { messages, warn } = warnings();
    return {
      base,
      staging,
      outside,
      messages,
      write: (specs: Spec[]) => writeRootfs(staging, entriesOf(specs), { warn, preserveOwnership: true }),
      /** Everything beside the staging directory, as it was before. */
      outsideNow: () => describeTree(base, notStaging),
      before,
    };
  }

  it('refuses names that climb out with ".." (zip-slip)', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([file('../planted', 'pwned'), file('a/../../planted', 'pwned'), file('../outside/secret', 'pwned'), file('ok', 'ok')]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    expect(Object.keys((await describeTree(at.staging)).nodes)).toEqual(['ok']);
    expect(at.messages).toEqual([
      'skipped "../planted": path escapes the root',
      'skipped "a/../../planted": path escapes the root',
      'skipped "../outside/secret": path escapes the root',
    ]);
  });

  it('leaves out a name longer than the filesystem allows, with a warning', async () => {
    // Prepare
    const at = await stagingBesideOutside();
    const long = 'n'.repeat(300);

    // Act
    await at.write([file(long, 'too long'), directory(`${long}/sub`), file('ok', 'ok')]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    expect(Object.keys((await describeTree(at.staging)).nodes)).toEqual(['ok']);
    expect(at.messages).toEqual([
      `skipped "${long.slice(0, 200)}...": a name in its path is longer than the filesystem allows`,
      `skipped "${`${long}/sub`.slice(0, 200)}...": a name in its path is longer than the filesystem allows`,
    ]);
  });

  it('refuses absolute names', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([file(join(at.outside, 'secret'), 'pwned'), file(join(at.base, 'planted'), 'pwned'), directory(join(at.outside, 'dir'))]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    expect((await describeTree(at.staging)).nodes).toEqual({});
    expect(at.messages).toEqual([
      `skipped "${join(at.outside, 'secret')}": absolute name`,
      `skipped "${join(at.base, 'planted')}": absolute name`,
      `skipped "${join(at.outside, 'dir')}": absolute name`,
    ]);
  });

  it('writes nothing through a symlink: a file under it, or a file over it, stays in the staging directory', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([
      symlinkTo('a', at.outside),
      file('a/evil', 'pwned'),
      symlinkTo('r', '../outside'),
      file('r/evil', 'pwned'),
      symlinkTo('s', join(at.outside, 'secret')),
      file('s', 'replaces the symlink, not its target'),
    ]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    const staged = (await describeTree(at.staging)).nodes;
    expect(Object.keys(staged)).toEqual(['a', 'r', 's']);
    expect(staged.a).toMatchObject({ type: 'symlink', target: at.outside });
    expect(staged.s).toMatchObject({ type: 'file', sha256: sha256(Buffer.from('replaces the symlink, not its target')) });
    expect(at.messages).toEqual(['skipped "a/evil": path goes through symlink "a"', 'skipped "r/evil": path goes through symlink "r"']);
  });

  it('makes no directory through a symlink, nor where a symlink stands', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([symlinkTo('a', at.outside), directory('a/sub'), directory('a'), file('a/x', 'pwned'), directory('a/sub/deeper')]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    expect(Object.keys((await describeTree(at.staging)).nodes)).toEqual(['a']);
    expect(at.messages).toEqual([
      'skipped "a/sub": path goes through symlink "a"',
      'skipped "a": "a" is a symlink: nothing is written through it',
      'skipped "a/x": path goes through symlink "a"',
      'skipped "a/sub/deeper": path goes through symlink "a"',
    ]);
  });

  it('refuses hardlinks to files outside, to symlinks, through symlinks and to directories', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([
      hardlinkTo('relative', '../outside/secret'),
      hardlinkTo('absolute', join(at.outside, 'secret')),
      symlinkTo('to-secret', join(at.outside, 'secret')),
      hardlinkTo('via-symlink', 'to-secret'),
      symlinkTo('to-outside', '../outside'),
      hardlinkTo('through-symlink', 'to-outside/secret'),
      directory('dir'),
      hardlinkTo('to-dir', 'dir'),
      hardlinkTo('not-yet', 'later'),
      file('later', 'written after the link'),
      hardlinkTo('itself', 'itself'),
    ]);

    // Assess
    const after = await at.outsideNow();
    expect(after).toEqual(at.before);
    expect(after.nodes['outside/secret']?.nlink).toBe(1);
    expect(Object.keys((await describeTree(at.staging)).nodes)).toEqual(['dir', 'later', 'to-outside', 'to-secret']);
    expect(at.messages).toEqual([
      'skipped "relative": hardlink target "../outside/secret" is outside the root filesystem',
      `skipped "absolute": hardlink target "${join(at.outside, 'secret')}" is outside the root filesystem`,
      'skipped "via-symlink": hardlink target "to-secret" is not a file the archive wrote before',
      'skipped "through-symlink": hardlink target "to-outside/secret" is not a file the archive wrote before',
      'skipped "to-dir": hardlink target "dir" is not a file the archive wrote before',
      'skipped "not-yet": hardlink target "later" is not a file the archive wrote before',
      'skipped "itself": hardlink target "itself" is not a file the archive wrote before',
    ]);
  });

  it('keeps a directory a directory when the archive later makes it a symlink to outside, and writes its files inside', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([directory('d'), symlinkTo('d', at.outside), file('d/x', 'stays inside'), file('d/secret', 'stays inside too')]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    const staged = (await describeTree(at.staging)).nodes;
    expect(Object.keys(staged)).toEqual(['d', 'd/secret', 'd/x']);
    expect(staged.d?.type).toBe('directory');
    expect(staged['d/x']?.sha256).toBe(sha256(Buffer.from('stays inside')));
    expect(at.messages).toEqual(['skipped "d": a directory "d" came earlier']);
  });

  it('keeps a file a file when a directory of the same name follows, and writes nothing under it', async () => {
    // Prepare
    const at = await stagingBesideOutside();

    // Act
    await at.write([file('f', 'data'), directory('f'), file('f/x', 'pwned'), directory('f/sub')]);

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    const staged = (await describeTree(at.staging)).nodes;
    expect(Object.keys(staged)).toEqual(['f']);
    expect(staged.f).toMatchObject({ type: 'file', sha256: sha256(Buffer.from('data')) });
    expect(at.messages).toEqual(['skipped "f": "f" is not a directory', 'skipped "f/x": "f" is not a directory', 'skipped "f/sub": "f" is not a directory']);
  });

  it('writes a hostile tarball read through the entry policy without touching anything outside', async () => {
    // Prepare
    const at = await stagingBesideOutside();
    const tar = await buildTar([
      ...plainRootfsEntries(),
      { name: '../planted', content: 'pwned' },
      { name: 'escape', type: 'symlink', linkname: at.outside },
      { name: 'escape/planted', content: 'pwned' },
      { name: 'leak', type: 'link', linkname: '../outside/secret' },
      { name: 'etc', type: 'symlink', linkname: at.outside },
      { name: 'etc/passwd', content: 'pwned' },
    ]);
    const archive = await readArchive(Readable.from([tar]));
    const { messages, warn } = warnings();

    // Act
    await writeRootfs(at.staging, archive.entries, { warn, preserveOwnership: true });

    // Assess
    expect(await at.outsideNow()).toEqual(at.before);
    const staged = (await describeTree(at.staging)).nodes;
    expect(Object.keys(staged)).toEqual(['bin', 'bin/busybox', 'bin/ls', 'bin/sh', 'escape', 'etc', 'etc/hostname', 'etc/motd', 'etc/passwd', 'etc/shadow', 'tmp', 'var', 'var/empty']);
    expect(staged['etc/passwd']?.sha256).toBe(sha256(Buffer.from('root:x:0:0:root:/root:/bin/sh\n')));
    expect(staged.etc?.type).toBe('directory');
    expect(staged.tmp?.mode).toBe(0o1777);
    expect(staged['bin/ls']?.nlink).toBe(2);
    expect(archive.warnings.length).toBeGreaterThanOrEqual(3);
    expect(messages).toEqual(['skipped "etc": a directory "etc" came earlier']);
  });
});

describe('writing archive entries: metadata', () => {
  async function staging() {
    const dir = join(await scratch(), 'staging');
    await mkdir(dir);
    return dir;
  }

  it('gives a read-only directory its contents first and its mode and mtime last', async () => {
    // Prepare
    const root = await staging();
    const older = new Date('2020-02-02T02:02:02Z');
    const newer = new Date('2021-03-03T03:03:03Z');
    const { messages, warn } = warnings();

    // Act
    await writeRootfs(
      root,
      entriesOf([
        directory('ro', { mode: 0o555, mtime: older }),
        directory('ro/sub', { mode: 0o500, mtime: newer, uid: 1000, gid: 1000 }),
        file('ro/sub/inner', 'inner', { mode: 0o400, uid: 1000 }),
        file('ro/file', 'file', { mode: 0o444 }),
        directory('ro', { mode: 0o551, mtime: older }),
      ]),
      { warn, preserveOwnership: true },
    );

    // Assess
    const nodes = (await describeTree(root)).nodes;
    expect(nodes.ro).toMatchObject({ mode: 0o551, mtime: older.getTime() / 1000 });
    expect(nodes['ro/sub']).toMatchObject({ mode: 0o500, uid: 1000, gid: 1000, mtime: newer.getTime() / 1000 });
    expect(nodes['ro/sub/inner']).toMatchObject({ mode: 0o400, uid: 1000, sha256: sha256(Buffer.from('inner')) });
    expect(nodes['ro/file']).toMatchObject({ mode: 0o444, mtime: FIXED_MTIME.getTime() / 1000 });
    expect(messages).toEqual([]);
  });

  it('makes a file setuid or setgid root only where the archive makes it root, when ownership is not kept', async () => {
    // Prepare
    const root = await staging();
    const { messages, warn } = warnings();

    // Act
    await writeRootfs(
      root,
      entriesOf([
        file('su', 'root says setuid', { mode: 0o4755, uid: 0, gid: 0 }),
        file('user-setuid', 'uid 1000 says setuid', { mode: 0o4755, uid: 1000, gid: 0 }),
        file('group-setgid', 'gid 5 says setgid', { mode: 0o2755, uid: 0, gid: 5 }),
        directory('shared', { mode: 0o2775, gid: 50 }),
      ]),
      { warn, preserveOwnership: false },
    );

    // Assess
    const nodes = (await describeTree(root)).nodes;
    expect(nodes.su).toMatchObject({ mode: 0o4755, uid: 0 });
    expect(nodes['user-setuid']).toMatchObject({ mode: 0o755, uid: 0 });
    expect(nodes['group-setgid']).toMatchObject({ mode: 0o755, gid: 0 });
    expect(nodes.shared).toMatchObject({ mode: 0o2775, gid: 0 });
    expect(messages).toEqual([
      'removed the setuid/setgid bits of "user-setuid": ownership is not kept, and the archive does not give the file to root',
      'removed the setuid/setgid bits of "group-setgid": ownership is not kept, and the archive does not give the file to root',
    ]);
  });

  it('makes device nodes and fifos with their numbers, owners and modes', async () => {
    // Prepare
    const root = await staging();
    const { messages, warn } = warnings();

    // Act
    await writeRootfs(
      root,
      entriesOf([
        { name: 'dev/zero', type: 'character-device', devmajor: 1, devminor: 5, mode: 0o666 },
        { name: 'dev/sda9', type: 'block-device', devmajor: 8, devminor: 9, mode: 0o660, gid: 6 },
        { name: 'run/pipe', type: 'fifo', mode: 0o620, uid: 1000, gid: 5 },
      ]),
      { warn, preserveOwnership: true },
    );

    // Assess
    const nodes = (await describeTree(root)).nodes;
    expect(nodes.dev).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(nodes['dev/zero']).toMatchObject({ type: 'character-device', mode: 0o666, rdev: (1 << 8) | 5 });
    expect(nodes['dev/sda9']).toMatchObject({ type: 'block-device', mode: 0o660, gid: 6, rdev: (8 << 8) | 9 });
    expect(nodes['run/pipe']).toMatchObject({ type: 'fifo', mode: 0o620, uid: 1000, gid: 5, mtime: FIXED_MTIME.getTime() / 1000 });
    expect(messages).toEqual([]);
  });

  it('replaces an earlier file by a later one of the same name, as tar does, and a hardlink keeps the earlier data', async () => {
    // Prepare
    const root = await staging();
    const { messages, warn } = warnings();

    // Act
    await writeRootfs(root, entriesOf([file('a', 'first'), hardlinkTo('b', 'a'), file('a', 'second'), symlinkTo('c', 'a'), file('c', 'third')]), {
      warn,
      preserveOwnership: true,
    });

    // Assess
    const nodes = (await describeTree(root)).nodes;
    expect(nodes.a).toMatchObject({ sha256: sha256(Buffer.from('second')), nlink: 1 });
    expect(nodes.b).toMatchObject({ sha256: sha256(Buffer.from('first')), nlink: 1 });
    expect(nodes.c).toMatchObject({ type: 'file', sha256: sha256(Buffer.from('third')) });
    expect(messages).toEqual([]);
  });

  it('fails with an ArchiveError when a body is shorter or longer than its header says', async () => {
    // Prepare
    const short = (async function* (): AsyncGenerator<ArchiveEntry> {
      yield { header: { ...(await firstHeader()), name: 'short', size: 10 }, body: halves(Buffer.from('four')) };
    })();
    const long = (async function* (): AsyncGenerator<ArchiveEntry> {
      yield { header: { ...(await firstHeader()), name: 'long', size: 2 }, body: halves(Buffer.from('much longer')) };
    })();

    // Act
    const failures = await Promise.all([
      writeRootfs(await staging(), short, { warn: () => undefined, preserveOwnership: true }).catch((error: unknown) => error),
      writeRootfs(await staging(), long, { warn: () => undefined, preserveOwnership: true }).catch((error: unknown) => error),
    ]);

    // Assess
    expect(failures[0]).toBeInstanceOf(ArchiveError);
    expect((failures[0] as Error).message).toBe('Archive entry "short" has 4 bytes, fewer than the 10 its header announces');
    expect(failures[1]).toBeInstanceOf(ArchiveError);
    expect((failures[1] as Error).message).toBe('Archive entry "long" has more bytes than the 2 its header announces');
  });

  it('writes each chunk of a body to disk before it asks for the next one', async () => {
    // Prepare
    const root = await staging();
    const chunk = randomBytes(64 * 1024);
    const chunks = 40;
    const onDiskWhenAsked: number[] = [];
    async function* body(): AsyncGenerator<Buffer> {
      for (let index = 0; index < chunks; index += 1) {
        onDiskWhenAsked.push(index === 0 ? 0 : (await lstat(join(root, 'big'))).size);
        yield chunk;
      }
    }
    const header = { ...(await firstHeader()), name: 'big', size: chunk.length * chunks };

    // Act
    await writeRootfs(root, (async function* () { yield { header, body: body() }; })(), { warn: () => undefined, preserveOwnership: true });

    // Assess
    expect(onDiskWhenAsked).toEqual(Array.from({ length: chunks }, (_, index) => index * chunk.length));
    expect((await lstat(join(root, 'big'))).size).toBe(chunk.length * chunks);
  });
});

async function firstHeader(): Promise<Header> {
  for await (const { header } of entriesOf([file('x', '')])) return header;
  throw new Error('no header');
}
