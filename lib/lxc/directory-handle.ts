// Directories of a container's root filesystem reached through open handles, never through
// host paths. A running container can swap any directory of its rootfs for a symlink to the
// host's `/` at any moment; a path looked up from the top again would then lead out of the
// rootfs. Node has no openat(2), but `/proc/self/fd/<fd>/<name>` is the same lookup: the kernel
// resolves the magic link to the directory we hold open and looks up `name` inside it, one
// segment, whose symlink the caller follows or not (O_NOFOLLOW, lstat, readlink, mkdir, link,
// symlink and unlink never do). Linux only, like LXC.
import { type BigIntStats, type Dirent, constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';

/**
 * open(2)'s O_PATH, which node's fs.constants lacks (the same value on x86-64, arm64 and the
 * other asm-generic architectures): a handle on the inode itself, symlinks and device nodes
 * included, that opens nothing; the inode's metadata is then changed through procPath(fd).
 */
export const O_PATH = 0o10000000;

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;

/** The path that names exactly the inode an open descriptor holds. */
export function procPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

export class DirectoryHandle {
  #closed = false;

  private constructor(readonly handle: FileHandle) {}

  /** The root of the tree: its path is the runtime's own, so it is opened as given. */
  static async open(path: string): Promise<DirectoryHandle> {
    return new DirectoryHandle(await open(path, DIRECTORY_FLAGS));
  }

  get fd(): number {
    return this.handle.fd;
  }

  /** `name` (one segment) inside this directory, as a path whose lookup starts at the handle. */
  pathOf(name: string): string {
    return `${procPath(this.fd)}/${name}`;
  }

  /** The directory `name` inside this one; a symlink there fails (ELOOP or ENOTDIR). */
  async openDirectory(name: string): Promise<DirectoryHandle> {
    return new DirectoryHandle(await open(this.pathOf(name), DIRECTORY_FLAGS | constants.O_NOFOLLOW));
  }

  stat(): Promise<BigIntStats> {
    return this.handle.stat({ bigint: true });
  }

  lstat(name: string): Promise<BigIntStats> {
    return lstat(this.pathOf(name), { bigint: true });
  }

  /**
   * The names in this directory as the disk has them (bytes: not every name is UTF-8), with the
   * kind the directory itself records (node lstats only where it records none).
   */
  entries(): Promise<Dirent<Buffer>[]> {
    return readdir(procPath(this.fd), { encoding: 'buffer', withFileTypes: true });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
  }
}

/**
 * The name as a string, or undefined when its bytes are not UTF-8: the tar codec writes names as
 * UTF-8, so such a name could neither be archived as it is nor be found again by its string.
 */
export function utf8Name(raw: Buffer): string | undefined {
  const name = raw.toString('utf8');
  return Buffer.byteLength(name) === raw.length && Buffer.from(name, 'utf8').equals(raw) ? name : undefined;
}

/** Order of names on disk: by their bytes, so a walk is the same whatever the locale. */
export function compareNames(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** Errors that mean the name is no longer what it was: gone, or replaced by another kind. */
export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** What the step gives, or undefined when its name is gone (isGone); every other failure stands. */
export async function unlessGone<T>(step: Promise<T>): Promise<T | undefined> {
  try {
    return await step;
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
