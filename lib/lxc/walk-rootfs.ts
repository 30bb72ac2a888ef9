// An LXC container's root filesystem, read from the host's disk as archive entries.
//
// Names follow the runtimes' convention (demo-rootfs.ts): relative to the root, `/`-separated,
// no `./`, no trailing slash, directories included, no entry for the root itself. Each
// directory's names are sorted by their bytes and a directory comes before its contents, so
// the same tree always gives the same entries, in the order `tar --sort=name` has them.
//
// The walk never leaves the root (./directory-handle.ts): every name is looked up inside a
// directory held open, and no symlink is followed, however the container changes its tree
// while it runs. Like `tar --one-file-system` it stays on the root's filesystem: a directory
// of another one (a bind mount of the host's) is exported empty, with a warning.
//
// Kept: numeric owner and group (names are left empty: the host's names for the ids are not
// the container's), the mode's permission bits with setuid, setgid and sticky, the mtime,
// symlink targets byte for byte, character and block devices, fifos. A regular file with more
// than one name is archived once, at the first name the walk meets; its other names are
// hardlink entries naming that one. Sockets are left out with a warning (no tar can hold one),
// as are names that are not UTF-8. Extended attributes, ACLs and sparseness are not read.
//
// A file, a directory or a whole subtree that vanishes or changes kind while it is walked is a
// warning, never a failure: the export of a running container goes on. A file is opened before
// its header is given out, so one that vanished is simply left out. Once the header is out its
// size is promised: a file that shrinks while it is read is padded with zeros to that size (as
// GNU tar does), since leaving it out is no longer possible without breaking the tar; a file
// that grows or changes is archived with the bytes read, cut to that size, and a warning.
//
// Bodies are read 128 KiB at a time, each chunk only when the consumer asks for it.
//
// estimateRootfsBytes is a stat pass, not statfs: progress counts body bytes, and a stat pass
// sums exactly those (regular files, each hardlinked inode once), whereas statfs describes the
// whole filesystem, which for the usual `dir` backing store is the host's own disk and has
// nothing to do with the container's size. It lstats only regular files (directory entries
// give the kind) and reads no data: a small fraction of what the export itself costs.
import { type BigIntStats, constants } from 'node:fs';
import { type FileHandle, open, readlink } from 'node:fs/promises';
import { type ArchiveEntry, type TarHeader, bodyOf } from '../archive/entry.ts';
import { quoteName } from '../archive/warnings.ts';
import { DirectoryHandle, compareNames, isGone, unlessGone, utf8Name } from './directory-handle.ts';

const CHUNK_BYTES = 128 * 1024;

/** Opening what should be a regular file: never through a symlink, never waiting on a fifo, never taking a tty. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Files an estimate lstats at once in one directory. */
const ESTIMATE_CONCURRENCY = 32;

export function walkRootfs(root: string, warn: (message: string) => void, signal?: AbortSignal): AsyncIterable<ArchiveEntry> {
  return walk(root, warn, signal);
}

async function* walk(root: string, warn: (message: string) => void, signal?: AbortSignal): AsyncGenerator<ArchiveEntry> {
  signal?.throwIfAborted();
  const top = await DirectoryHandle.open(root);
  try {
    const walker = new RootfsWalker((await top.stat()).dev, warn, signal);
    yield* walker.directory(top, '');
  } finally {
    await top.close();
  }
}

class RootfsWalker {
  /** First name of each inode with several names (`dev:ino`), for the hardlinks to it. */
  #firstNames = new Map<string, string>();

  constructor(
    private readonly rootDevice: bigint,
    private readonly warn: (message: string) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async *directory(dir: DirectoryHandle, prefix: string): AsyncGenerator<ArchiveEntry> {
    for (const { name, kind } of await this.#names(dir, prefix)) {
      this.signal?.throwIfAborted();
      const path = prefix === '' ? name : `${prefix}/${name}`;
      // The directory's own record of each kind spares a regular file or a directory an lstat:
      // they are opened and fstat'ed anyway. The open refuses anything that changed since.
      if (kind === 'directory') yield* this.#subdirectory(dir, name, path);
      else if (kind === 'file') yield* this.#file(dir, name, path);
      else yield* this.#other(dir, name, path);
    }
  }

  async *#other(dir: DirectoryHandle, name: string, path: string): AsyncGenerator<ArchiveEntry> {
    const stats = await unlessGone(dir.lstat(name));
    if (!stats) return this.#vanished(path);
    if (stats.isDirectory()) yield* this.#subdirectory(dir, name, path);
    else if (stats.isFile()) yield* this.#file(dir, name, path);
    else if (stats.isSymbolicLink()) yield* this.#symlink(dir, name, path, stats);
    else if (stats.isCharacterDevice()) yield entry(headerOf(path, 'character-device', stats, deviceNumbers(stats.rdev)));
    else if (stats.isBlockDevice()) yield entry(headerOf(path, 'block-device', stats, deviceNumbers(stats.rdev)));
    else if (stats.isFIFO()) yield entry(headerOf(path, 'fifo', stats));
    else if (stats.isSocket()) this.#skip(path, 'sockets cannot be archived');
    else this.#skip(path, 'unknown kind of file');
  }

  async #names(dir: DirectoryHandle, prefix: string): Promise<{ name: string; kind: 'directory' | 'file' | 'other' }[]> {
    const found = await unlessGone(dir.entries());
    if (!found) {
      this.#vanished(prefix);
      return [];
    }
    const names: { name: string; kind: 'directory' | 'file' | 'other' }[] = [];
    for (const dirent of found.sort((a, b) => compareNames(a.name, b.name))) {
      const name = utf8Name(dirent.name);
      const shown = dirent.name.toString('utf8');
      if (name === undefined) this.#skip(prefix === '' ? shown : `${prefix}/${shown}`, 'its name is not UTF-8');
      else names.push({ name, kind: dirent.isDirectory() ? 'directory' : dirent.isFile() ? 'file' : 'other' });
    }
    return names;
  }

  async *#subdirectory(parent: DirectoryHandle, name: string, path: string): AsyncGenerator<ArchiveEntry> {
    const dir = await unlessGone(parent.openDirectory(name));
    if (!dir) {
      this.#vanished(path);
      return;
    }
    try {
      const stats = await dir.stat();
      yield entry(headerOf(path, 'directory', stats));
      if (stats.dev !== this.rootDevice) {
        this.warn(`${quoteName(path)} is another filesystem mounted in the root filesystem: its contents are not exported`);
        return;
      }
      yield* this.directory(dir, path);
    } finally {
      await dir.close();
    }
  }

  async *#file(dir: DirectoryHandle, name: string, path: string): AsyncGenerator<ArchiveEntry> {
    const opened = await openRegularFile(dir, name);
    if (opened === undefined) {
      this.#vanished(path);
      return;
    }
    const { file, stats } = opened;
    const reader = new FileReader(file, path, this.warn, this.signal);
    try {
      if (stats.nlink > 1n) {
        const inode = `${stats.dev}:${stats.ino}`;
        const first = this.#firstNames.get(inode);
        if (first !== undefined) {
          yield entry(headerOf(path, 'link', stats, { linkname: first }));
          return;
        }
        this.#firstNames.set(inode, path);
      }
      const size = Number(stats.size);
      yield { header: headerOf(path, 'file', stats, { size }), body: reader.bytes(size, stats) };
    } finally {
      // The consumer has read the body, or given up on it: either way the file is done with.
      await reader.close();
    }
  }

  async *#symlink(dir: DirectoryHandle, name: string, path: string, stats: BigIntStats): AsyncGenerator<ArchiveEntry> {
    let target: Buffer;
    try {
      target = await readlink(dir.pathOf(name), { encoding: 'buffer' });
    } catch (error) {
      // EINVAL: no longer a symlink.
      if (!isGone(error) && (error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      this.#vanished(path);
      return;
    }
    const linkname = utf8Name(target);
    if (linkname === undefined) return this.#skip(path, 'its target is not UTF-8');
    yield entry(headerOf(path, 'symlink', stats, { linkname }));
  }

  #vanished(path: string): void {
    this.warn(`${quoteName(path)} vanished or changed while the root filesystem was read: it is not exported`);
  }

  #skip(path: string, reason: string): void {
    this.warn(`skipped ${quoteName(path)}: ${reason}`);
  }
}

/**
 * The regular file `name` opened for reading, or undefined when it is gone or no longer a
 * regular file. O_NOFOLLOW refuses a symlink swapped in since the directory was read, and
 * O_NONBLOCK a fifo's wait for a writer; fstat then tells what was opened. Only a container
 * allowed to make device nodes (a privileged one, root on the host already) could swap one in
 * for the open to reach.
 */
async function openRegularFile(dir: DirectoryHandle, name: string): Promise<{ file: FileHandle; stats: BigIntStats } | undefined> {
  const file = await unlessGone(open(dir.pathOf(name), READ_FLAGS));
  if (!file) return undefined;
  try {
    const stats = await file.stat({ bigint: true });
    if (stats.isFile()) return { file, stats };
  } catch (error) {
    await file.close();
    throw error;
  }
  await file.close();
  return undefined;
}

/** One file's bytes, exactly the size its header announced, read as they are asked for. */
class FileReader {
  #closed = false;

  constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    private readonly warn: (message: string) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async *bytes(size: number, before: BigIntStats): AsyncGenerator<Buffer> {
    try {
      let offset = 0;
      while (offset < size) {
        this.signal?.throwIfAborted();
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - offset));
        const { bytesRead } = await this.file.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) {
          this.warn(`${quoteName(this.path)} shrank by ${size - offset} bytes while it was read: they are archived as zeros`);
          yield* zeros(size - offset);
          return;
        }
        offset += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
      const after = await this.file.stat({ bigint: true });
      if (after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
        this.warn(`${quoteName(this.path)} changed while it was read: it is archived as read, ${size} bytes`);
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.file.close();
  }
}

function* zeros(bytes: number): Generator<Buffer> {
  for (let left = bytes; left > 0; left -= CHUNK_BYTES) yield Buffer.alloc(Math.min(CHUNK_BYTES, left));
}

function entry(header: TarHeader): ArchiveEntry {
  return { header, body: bodyOf() };
}

function headerOf(name: string, type: TarHeader['type'], stats: BigIntStats, extra: Partial<TarHeader> = {}): TarHeader {
  return {
    name,
    type,
    mode: Number(stats.mode) & 0o7777,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    uname: '',
    gname: '',
    size: 0,
    mtime: new Date(Number(stats.mtimeMs)),
    linkname: '',
    devmajor: 0,
    devminor: 0,
    ...extra,
  };
}

/** Linux's dev_t: major and minor are each split between the low and the high bits. */
function deviceNumbers(rdev: bigint): { devmajor: number; devminor: number } {
  return {
    devmajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devminor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

export async function estimateRootfsBytes(root: string, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const top = await DirectoryHandle.open(root);
  try {
    const estimate = new SizeEstimate((await top.stat()).dev, signal);
    await estimate.add(top);
    return estimate.bytes;
  } finally {
    await top.close();
  }
}

/** The walk's rules (same filesystem, no symlinks, UTF-8 names) with what vanishes just not counted. */
class SizeEstimate {
  bytes = 0;
  #countedInodes = new Set<string>();

  constructor(
    private readonly rootDevice: bigint,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async add(dir: DirectoryHandle): Promise<void> {
    this.signal?.throwIfAborted();
    const entries = await unlessGone(dir.entries());
    if (!entries) return;
    const files: string[] = [];
    const directories: string[] = [];
    for (const found of entries) {
      const name = utf8Name(found.name);
      if (name === undefined) continue;
      if (found.isFile()) files.push(name);
      else if (found.isDirectory()) directories.push(name);
    }
    for (let start = 0; start < files.length; start += ESTIMATE_CONCURRENCY) {
      this.signal?.throwIfAborted();
      await Promise.all(files.slice(start, start + ESTIMATE_CONCURRENCY).map((name) => this.#addFile(dir, name)));
    }
    for (const name of directories) await this.#addDirectory(dir, name);
  }

  async #addFile(dir: DirectoryHandle, name: string): Promise<void> {
    const stats = await unlessGone(dir.lstat(name));
    if (!stats?.isFile()) return;
    if (stats.nlink > 1n) {
      const inode = `${stats.dev}:${stats.ino}`;
      if (this.#countedInodes.has(inode)) return;
      this.#countedInodes.add(inode);
    }
    this.bytes += Number(stats.size);
  }

  async #addDirectory(parent: DirectoryHandle, name: string): Promise<void> {
    const dir = await unlessGone(parent.openDirectory(name));
    if (!dir) return;
    try {
      if ((await dir.stat()).dev === this.rootDevice) await this.add(dir);
    } finally {
      await dir.close();
    }
  }
}
