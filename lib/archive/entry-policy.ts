// What an imported root filesystem may contain. Archive entries are untrusted: each one is
// either admitted, rewritten to its safe normalized form, or left out with a warning. Abusive
// sizes are not decided here but in limits.ts, since they abort the whole import.
import type { TarEntryType, TarHeader } from './entry.ts';
import { normalizeEntryPath } from './entry-path.ts';
import { ROOTFS_DIRECTORY } from './format.ts';
import { PathTree } from './path-tree.ts';
import { withPaxOwnership } from './pax.ts';
import { quoteName, type WarningLog } from './warnings.ts';

/** `stevedore`: our archives, the root filesystem is under `rootfs/`. `plain`: a rootfs tarball. */
export type ArchiveLayout = 'stevedore' | 'plain';

type Location = { kind: 'path'; path: string } | { kind: 'root' } | { kind: 'skip'; reason: string };

type AdmittedType = 'file' | 'directory' | 'symlink' | 'link';

const UNIMPORTED_TYPES: Partial<Record<TarEntryType, string>> = {
  'character-device': 'character devices are not imported',
  'block-device': 'block devices are not imported',
  fifo: 'fifos are not imported',
};

export class EntryPolicy {
  /**
   * What was admitted so far. A symlink stays one: nothing may be written through it. Files
   * (hardlinks included) are the only valid hardlink targets.
   */
  #paths = new PathTree();
  #warnedAboutLeadingSlash = false;

  constructor(
    private readonly layout: ArchiveLayout,
    private readonly warnings: WarningLog,
  ) {}

  /** The entry as the container gets it, or undefined to leave it out. */
  admit(header: TarHeader): TarHeader | undefined {
    const location = this.#locate(header.name);
    if (location.kind === 'skip') return this.#skip(header, location.reason);
    // The container's root always exists; an entry for it carries nothing to import.
    if (location.kind === 'root') return header.type === 'directory' ? undefined : this.#skip(header, 'not a directory at the root');
    const { path } = location;

    const type = header.type === 'contiguous-file' ? 'file' : header.type;
    if (type !== 'file' && type !== 'directory' && type !== 'symlink' && type !== 'link') {
      return this.#skip(header, (type && UNIMPORTED_TYPES[type]) ?? (type ? `unsupported entry type "${type}"` : 'unsupported entry type'));
    }
    // Writing anything but a new symlink at a symlink's path would write where it points.
    const symlink = this.#paths.symlinkOnTheWay(path, type !== 'symlink');
    if (symlink !== undefined) return this.#skip(header, `path goes through symlink ${quoteName(symlink)}`);

    const linkname = this.#linkname(header, type, path);
    if (typeof linkname !== 'string') return this.#skip(header, linkname.reason);

    this.#paths.set(path, type === 'symlink' ? 'symlink' : type === 'directory' ? 'other' : 'file');
    return {
      ...withPaxOwnership(header),
      name: path,
      type,
      linkname,
      mode: header.mode & 0o7777,
      size: type === 'file' ? header.size : 0,
    };
  }

  #linkname(header: TarHeader, type: AdmittedType, path: string): string | { reason: string } {
    // Symlink targets are kept as they are, absolute ones too (/bin/sh -> /bin/busybox):
    // they are resolved against the container's root, never the host's.
    if (type === 'symlink') {
      if (!header.linkname) return { reason: 'symlink without a target' };
      if (header.linkname.includes('\0')) return { reason: 'symlink target contains a NUL byte' };
      return header.linkname;
    }
    if (type !== 'link') return '';
    const target = this.#locate(header.linkname ?? '');
    const notAFile = { reason: `hardlink target ${quoteName(header.linkname ?? '')} is not an earlier file of the archive` };
    if (target.kind !== 'path' || target.path === path || this.#paths.kindOf(target.path) !== 'file') return notAFile;
    if (this.#paths.symlinkOnTheWay(target.path, false) !== undefined) return notAFile;
    return target.path;
  }

  #locate(name: string): Location {
    const normalized = normalizeEntryPath(name);
    if (!normalized.safe) return { kind: 'skip', reason: normalized.reason };
    if (normalized.hadLeadingSlash) this.#warnAboutLeadingSlash();
    let { path } = normalized;
    if (this.layout === 'stevedore') {
      if (path !== ROOTFS_DIRECTORY && !path.startsWith(`${ROOTFS_DIRECTORY}/`)) {
        return { kind: 'skip', reason: `outside ${ROOTFS_DIRECTORY}/` };
      }
      path = path.slice(ROOTFS_DIRECTORY.length + 1);
    }
    return path === '' ? { kind: 'root' } : { kind: 'path', path };
  }

  // Like GNU tar: say it once, not for every entry of an archive made with absolute names.
  #warnAboutLeadingSlash(): void {
    if (this.#warnedAboutLeadingSlash) return;
    this.#warnedAboutLeadingSlash = true;
    this.warnings.add('removed leading "/" from entry names');
  }

  #skip(header: TarHeader, reason: string): undefined {
    this.warnings.skipped(header.name, reason);
    return undefined;
  }
}
