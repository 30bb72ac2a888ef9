// An imported root filesystem written to the host's disk, under the new, empty staging
// directory of an LXC container. The entries come from an untrusted archive. They passed the
// entry policy (lib/archive/entry-policy.ts), but this writer is safe on its own: whatever
// the entries say, it creates, changes and links to nothing outside the staging directory.
//
// Every write happens inside a directory held open (./directory-handle.ts), reached from the
// staging directory one segment at a time with O_NOFOLLOW, so no symlink is ever followed on
// the way; files are created with O_EXCL|O_NOFOLLOW, and metadata is set through a handle on
// the new inode itself. What is refused is left out with a warning, like the policy's own
// refusals (the import goes on, and the task lists what is missing):
// - names that are absolute or contain `..` (the policy would have made the first relative:
//   here one means the entries did not come through it) and names the disk cannot hold;
// - anything whose path goes through a symlink, or through a file;
// - a directory where something else stands: a symlink there (a directory replaced by a
//   symlink, then the directory again) is never written through, and a file is not removed;
// - anything but a directory where a directory stands: nothing removes a directory's contents;
// - a hardlink whose target is outside the root or is not a regular file already written;
// - device nodes unless running as root.
// Otherwise a later entry replaces an earlier non-directory of the same name, as with tar
// (unlink never follows a symlink), and a later directory entry gives an existing directory
// its metadata. An ArchiveError fails the import when a body disagrees with its header's size:
// the file would be wrong, and nothing can be left out cleanly once it is half written.
//
// Metadata is set once the data is there: the owner (when preserveOwnership; it needs root,
// and a refused chown fails the import), then the mode (chown may clear setuid bits), then the
// mtime (also as the atime: a tar has none). Directories get theirs at the end, deepest
// first, so a read-only directory does not block its own contents and writing its contents
// does not change its mtime. A file is setuid or setgid only when running as root and the owner
// the bit gives power to is the archive's: with ownership not kept every file is root's, so a
// bit is kept only where the archive makes it root's too; other bits are removed with a warning.
//
// Device nodes are made with coreutils' mknod (./special-files.ts), only as root; one that
// cannot be made (no CAP_MKNOD in a user namespace) is left out with a warning, as are fifos
// that mkfifo cannot make. Owner names are ignored: ids are numeric, as the container's own
// /etc/passwd reads them. An entry for the root itself is ignored, as the policy ignores it:
// the staging directory's own metadata is the runtime's.
//
// File bodies go to disk one chunk at a time, each written before the next is asked for.
import { constants } from 'node:fs';
import { type FileHandle, chmod, chown, lchown, link, lstat, lutimes, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
import type { ArchiveEntry, TarHeader } from '../archive/entry.ts';
import { normalizeEntryPath } from '../archive/entry-path.ts';
import { ArchiveError } from '../archive/errors.ts';
import { quoteName } from '../archive/warnings.ts';
import { DirectoryHandle, O_PATH, errorCode, procPath } from './directory-handle.ts';
import { makeDeviceNode, makeFifo } from './special-files.ts';

const CREATE_FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Until their metadata is set, new files and directories are their owner's alone. */
const CREATION_MODE = 0o700;
const CREATION_FILE_MODE = 0o600;
/** Parents the archive has no entry for, as tar makes them (but independent of the umask). */
const IMPLICIT_DIRECTORY_MODE = 0o755;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

type WrittenType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
const WRITTEN_TYPES = new Set<string>(['file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo']);

export async function writeRootfs(
  root: string,
  entries: AsyncIterable<ArchiveEntry>,
  options: { warn: (message: string) => void; preserveOwnership: boolean },
): Promise<void> {
  const writer = new RootfsWriter(await DirectoryHandle.open(root), options.warn, options.preserveOwnership);
  try {
    for await (const entry of entries) await writer.write(entry);
    await writer.finishDirectories();
  } finally {
    await writer.close();
  }
}

/** What a name is about to be written over. */
type Existing = 'nothing' | 'directory' | { refused: string };

/** The owner, mode and times of one inode, however it is held. */
interface Inode {
  chown(uid: number, gid: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  utimes(atime: Date, mtime: Date): Promise<void>;
}

class RootfsWriter {
  /** The directories above the last entry, held open: the next entry is most often beside it. */
  #chain: { name: string; dir: DirectoryHandle }[] = [];
  /** Directories whose metadata waits for the end, with the last entry given for each. */
  #directories = new Map<string, TarHeader>();
  readonly #asRoot = process.getuid?.() === 0;

  constructor(
    private readonly root: DirectoryHandle,
    private readonly warn: (message: string) => void,
    private readonly preserveOwnership: boolean,
  ) {}

  async write({ header, body }: ArchiveEntry): Promise<void> {
    let consumed: boolean;
    try {
      consumed = await this.#write(header, body);
    } catch (error) {
      if (errorCode(error) !== 'ENAMETOOLONG') throw error;
      consumed = this.#skip(header.name, 'a name in its path is longer than the filesystem allows');
    }
    // Read to its end, as an entry's consumer must, whatever the source of the entries is.
    if (!consumed) for await (const _ of body);
  }

  /** Whether the body was read. */
  async #write(header: TarHeader, body: AsyncIterable<Buffer>): Promise<boolean> {
    const location = locate(header.name);
    if ('refused' in location) return this.#skip(header.name, location.refused);
    const { segments } = location;
    const type = header.type === 'contiguous-file' ? 'file' : header.type;
    if (segments.length === 0) return type === 'directory' ? false : this.#skip(header.name, 'not a directory at the root');
    if (type === null || !WRITTEN_TYPES.has(type)) return this.#skip(header.name, type ? `unsupported entry type "${type}"` : 'unsupported entry type');
    if ((type === 'character-device' || type === 'block-device') && !this.#asRoot) {
      return this.#skip(header.name, 'device nodes are made only when stevedore runs as root');
    }
    const parent = await this.#parentOf(segments);
    if (typeof parent === 'string') return this.#skip(header.name, parent);
    const name = segments[segments.length - 1]!;
    const path = segments.join('/');

    switch (type as WrittenType) {
      case 'directory':
        return this.#directory(parent, name, path, header);
      case 'file':
        return this.#file(parent, name, path, header, body);
      case 'symlink':
        return this.#symlink(parent, name, path, header);
      case 'link':
        return this.#hardlink(parent, name, path, header);
      case 'character-device':
      case 'block-device':
        return this.#deviceNode(parent, name, path, header, type === 'character-device' ? 'character' : 'block');
      case 'fifo':
        return this.#fifo(parent, name, path, header);
    }
  }

  async #directory(parent: DirectoryHandle, name: string, path: string, header: TarHeader): Promise<boolean> {
    const existing = await this.#clear(parent, name, path, 'directory');
    if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
    if (existing === 'nothing') await mkdir(parent.pathOf(name), CREATION_MODE);
    this.#directories.set(path, header);
    return false;
  }

  async #file(parent: DirectoryHandle, name: string, path: string, header: TarHeader, body: AsyncIterable<Buffer>): Promise<boolean> {
    const existing = await this.#clear(parent, name, path, 'file');
    if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
    const file = await open(parent.pathOf(name), CREATE_FILE_FLAGS, CREATION_FILE_MODE);
    try {
      await writeBody(file, body, header.size ?? 0, path);
      await this.#setMetadata(file, header, path);
    } finally {
      await file.close();
    }
    return true;
  }

  async #symlink(parent: DirectoryHandle, name: string, path: string, header: TarHeader): Promise<boolean> {
    // Kept as the archive has it, absolute or not: it is resolved inside the container.
    const target = header.linkname ?? '';
    if (target === '') return this.#skip(header.name, 'symlink without a target');
    if (target.includes('\0')) return this.#skip(header.name, 'symlink target contains a NUL byte');
    const existing = await this.#clear(parent, name, path, 'symlink');
    if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
    const at = parent.pathOf(name);
    await symlink(target, at);
    // lchown and lutimes act on the symlink itself; its mode means nothing on Linux.
    const owner = this.#ownerOf(header);
    if (owner) await lchown(at, owner.uid, owner.gid);
    const mtime = validDate(header.mtime);
    if (mtime) await lutimes(at, mtime, mtime);
    return false;
  }

  async #hardlink(parent: DirectoryHandle, name: string, path: string, header: TarHeader): Promise<boolean> {
    const linkname = header.linkname ?? '';
    const target = locate(linkname);
    if ('refused' in target || target.segments.length === 0) {
      return this.#skip(header.name, `hardlink target ${quoteName(linkname)} is outside the root filesystem`);
    }
    const notAFile = `hardlink target ${quoteName(linkname)} is not a file the archive wrote before`;
    if (target.segments.join('/') === path) return this.#skip(header.name, notAFile);
    const targetParent = await this.#openExisting(target.segments.slice(0, -1));
    if (targetParent === undefined) return this.#skip(header.name, notAFile);
    try {
      const targetName = target.segments[target.segments.length - 1]!;
      const stats = await lstat(targetParent.pathOf(targetName)).catch(() => undefined);
      if (!stats?.isFile()) return this.#skip(header.name, notAFile);
      const existing = await this.#clear(parent, name, path, 'link');
      if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
      // link(2) does not follow a symlink at its source, and that name is a regular file.
      await link(targetParent.pathOf(targetName), parent.pathOf(name));
      return false;
    } finally {
      if (targetParent !== this.root) await targetParent.close();
    }
  }

  async #deviceNode(parent: DirectoryHandle, name: string, path: string, header: TarHeader, kind: 'character' | 'block'): Promise<boolean> {
    const { devmajor, devminor } = header;
    if (!isId(devmajor) || !isId(devminor)) return this.#skip(header.name, 'device numbers missing');
    const existing = await this.#clear(parent, name, path, kind === 'character' ? 'character-device' : 'block-device');
    if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
    try {
      await makeDeviceNode(parent, name, kind, devmajor, devminor);
    } catch (error) {
      return this.#skip(header.name, `the device node could not be made: ${(error as Error).message}`);
    }
    await this.#setNodeMetadata(parent, name, path, header);
    return false;
  }

  async #fifo(parent: DirectoryHandle, name: string, path: string, header: TarHeader): Promise<boolean> {
    const existing = await this.#clear(parent, name, path, 'fifo');
    if (typeof existing === 'object') return this.#skip(header.name, existing.refused);
    try {
      await makeFifo(parent, name);
    } catch (error) {
      return this.#skip(header.name, `the fifo could not be made: ${(error as Error).message}`);
    }
    await this.#setNodeMetadata(parent, name, path, header);
    return false;
  }

  /** A device node or fifo is never opened (that could start a device): O_PATH holds the inode only. */
  async #setNodeMetadata(parent: DirectoryHandle, name: string, path: string, header: TarHeader): Promise<void> {
    const node = await open(parent.pathOf(name), O_PATH | constants.O_NOFOLLOW);
    try {
      const at = procPath(node.fd);
      const inode: Inode = {
        chown: (uid, gid) => chown(at, uid, gid),
        chmod: (mode) => chmod(at, mode),
        utimes: (atime, mtime) => utimes(at, atime, mtime),
      };
      await this.#setMetadata(inode, header, path);
    } finally {
      await node.close();
    }
  }

  async #setMetadata(inode: Inode, header: TarHeader, path: string): Promise<void> {
    const owner = this.#ownerOf(header);
    if (owner) await inode.chown(owner.uid, owner.gid);
    await inode.chmod(this.#permittedMode(header, path));
    const mtime = validDate(header.mtime);
    if (mtime) await inode.utimes(mtime, mtime);
  }

  #ownerOf(header: TarHeader): { uid: number; gid: number } | undefined {
    if (!this.preserveOwnership) return undefined;
    // -1 leaves an id as it is: an archive without one gets the writer's.
    return { uid: isId(header.uid) ? header.uid : -1, gid: isId(header.gid) ? header.gid : -1 };
  }

  #permittedMode(header: TarHeader, path: string): number {
    const mode = (header.mode ?? 0) & 0o7777;
    // On a directory setgid only makes new files inherit its group; it gives no one power.
    const asked = header.type === 'directory' ? 0 : mode & (S_ISUID | S_ISGID);
    if (asked === 0) return mode;
    let kept = asked;
    let why = '';
    if (!this.#asRoot) {
      kept = 0;
      why = 'stevedore is not running as root, so the file is not owned as the archive says';
    } else if (!this.preserveOwnership) {
      kept = (header.uid === 0 ? asked & S_ISUID : 0) | (header.gid === 0 ? asked & S_ISGID : 0);
      why = 'ownership is not kept, and the archive does not give the file to root';
    }
    if (kept !== asked) this.warn(`removed the setuid/setgid bits of ${quoteName(path)}: ${why}`);
    return (mode & ~(S_ISUID | S_ISGID)) | kept;
  }

  /** Makes room for the entry at `name`, or says why it is not written. */
  async #clear(parent: DirectoryHandle, name: string, path: string, type: WrittenType): Promise<Existing> {
    let existing;
    try {
      existing = await lstat(parent.pathOf(name));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'nothing';
      throw error;
    }
    if (existing.isDirectory()) {
      return type === 'directory' ? 'directory' : { refused: `a directory ${quoteName(path)} came earlier` };
    }
    if (type === 'directory') {
      return { refused: existing.isSymbolicLink() ? `${quoteName(path)} is a symlink: nothing is written through it` : `${quoteName(path)} is not a directory` };
    }
    await unlink(parent.pathOf(name));
    return 'nothing';
  }

  /** The directory the entry goes in, its missing parents made, or why it cannot be reached. */
  async #parentOf(segments: string[]): Promise<DirectoryHandle | string> {
    const parents = segments.slice(0, -1);
    let depth = 0;
    while (depth < this.#chain.length && depth < parents.length && this.#chain[depth]!.name === parents[depth]) depth += 1;
    await this.#closeChainFrom(depth);
    for (; depth < parents.length; depth += 1) {
      const above = depth === 0 ? this.root : this.#chain[depth - 1]!.dir;
      const name = parents[depth]!;
      const dir = await this.#openOrMakeDirectory(above, name, parents.slice(0, depth + 1).join('/'));
      if (typeof dir === 'string') return dir;
      this.#chain.push({ name, dir });
    }
    return parents.length === 0 ? this.root : this.#chain[parents.length - 1]!.dir;
  }

  async #openOrMakeDirectory(above: DirectoryHandle, name: string, path: string): Promise<DirectoryHandle | string> {
    try {
      return await above.openDirectory(name);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') return this.#notADirectory(above, name, path, error);
    }
    await mkdir(above.pathOf(name), IMPLICIT_DIRECTORY_MODE);
    const dir = await above.openDirectory(name);
    await dir.handle.chmod(IMPLICIT_DIRECTORY_MODE);
    return dir;
  }

  /** The directory at `segments` when every segment of it is a real directory; the caller closes it. */
  async #openExisting(segments: string[]): Promise<DirectoryHandle | undefined> {
    let dir = this.root;
    try {
      for (const name of segments) {
        const next = await dir.openDirectory(name).catch(() => undefined);
        if (dir !== this.root) await dir.close();
        if (next === undefined) return undefined;
        dir = next;
      }
      return dir;
    } catch (error) {
      if (dir !== this.root) await dir.close();
      throw error;
    }
  }

  async #notADirectory(above: DirectoryHandle, name: string, path: string, error: unknown): Promise<string> {
    const code = errorCode(error);
    if (code !== 'ELOOP' && code !== 'ENOTDIR') throw error;
    const stats = await lstat(above.pathOf(name));
    return stats.isSymbolicLink() ? `path goes through symlink ${quoteName(path)}` : `${quoteName(path)} is not a directory`;
  }

  async finishDirectories(): Promise<void> {
    // Reverse path order puts every directory before its parents.
    const paths = [...this.#directories.keys()].map((path) => path.split('/')).sort(compareSegments).reverse();
    for (const segments of paths) {
      const path = segments.join('/');
      const parent = await this.#parentOf(segments);
      if (typeof parent === 'string') throw new Error(`Directory ${quoteName(path)} of the new root filesystem is gone: ${parent}`);
      const dir = await parent.openDirectory(segments[segments.length - 1]!);
      try {
        await this.#setMetadata(dir.handle, this.#directories.get(path)!, path);
      } finally {
        await dir.close();
      }
    }
  }

  async close(): Promise<void> {
    await this.#closeChainFrom(0);
    await this.root.close();
  }

  async #closeChainFrom(depth: number): Promise<void> {
    while (this.#chain.length > depth) await this.#chain.pop()!.dir.close();
  }

  #skip(name: string, reason: string): false {
    this.warn(`skipped ${quoteName(name)}: ${reason}`);
    return false;
  }
}

/** The entry's name as path segments under the root ([] for the root itself), or why it is refused. */
function locate(name: string): { segments: string[] } | { refused: string } {
  const normalized = normalizeEntryPath(name);
  if (!normalized.safe) return { refused: normalized.reason };
  if (normalized.hadLeadingSlash) return { refused: 'absolute name' };
  return { segments: normalized.path === '' ? [] : normalized.path.split('/') };
}

async function writeBody(file: FileHandle, body: AsyncIterable<Buffer>, size: number, path: string): Promise<void> {
  let written = 0;
  for await (const chunk of body) {
    if (written + chunk.length > size) {
      throw new ArchiveError(`Archive entry ${quoteName(path)} has more bytes than the ${size} its header announces`);
    }
    for (let offset = 0; offset < chunk.length; ) {
      const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset, written + offset);
      offset += bytesWritten;
    }
    written += chunk.length;
  }
  if (written !== size) {
    throw new ArchiveError(`Archive entry ${quoteName(path)} has ${written} bytes, fewer than the ${size} its header announces`);
  }
}

function compareSegments(a: string[], b: string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    if (a[index] !== b[index]) return a[index]! < b[index]! ? -1 : 1;
  }
  return a.length - b.length;
}

const isId = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function validDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}
