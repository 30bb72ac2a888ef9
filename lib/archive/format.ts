// The archive format stevedore writes: a tar (gzip-compressed for .tgz) whose first entry is a
// regular file `config.json` with the container's config, followed by the root filesystem with
// every name under `rootfs/`. Import also takes a plain root-filesystem tarball (`docker export`).
import type { TarHeader } from './entry.ts';
import { normalizeEntryPath } from './entry-path.ts';

export const CONFIG_ENTRY_NAME = 'config.json';

/** Whether a first entry is our config (a plain rootfs tarball starts with anything else). */
export function isConfigEntry(header: TarHeader): boolean {
  const location = normalizeEntryPath(header.name);
  return location.safe && location.path === CONFIG_ENTRY_NAME && header.type === 'file';
}

/** Directory of the root filesystem inside the archive (entry names start with it). */
export const ROOTFS_DIRECTORY = 'rootfs';
export const ROOTFS_PREFIX = `${ROOTFS_DIRECTORY}/`;

/** `source` written into the config of archives stevedore makes. */
export const ARCHIVE_SOURCE = 'stevedore';

/** config.json is read into memory whole, so it is capped. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** Tar headers and their padding come in blocks of this size. */
export const TAR_BLOCK_BYTES = 512;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Compression is recognised by content, never by file extension. */
export function hasGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}
