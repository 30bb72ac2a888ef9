// Export's archive: config.json first, then the container's root filesystem under rootfs/,
// as a tar, gzip-compressed when asked. Streams end to end: entries are pulled one at a time,
// each body chunk only when the reader of the archive wants more bytes, and bodies pass through
// as the runtime gave them (only headers are rewritten).
import { Readable } from 'node:stream';
import { serializeArchiveConfig } from './config.ts';
import { type ArchiveConfig, type ArchiveEntry, type TarHeader, bodyOf } from './entry.ts';
import { normalizeEntryPath } from './entry-path.ts';
import { CONFIG_ENTRY_NAME, ROOTFS_PREFIX } from './format.ts';
import { gzipInParallel } from './parallel-gzip.ts';
import { tarBytes } from './tar-writer.ts';
import { untilAborted } from './until-aborted.ts';

export interface PackOptions {
  compress: boolean;
  gzipLevel: number;
  /** mtime of config.json; defaults to now. Fixed, it makes the archive's bytes reproducible. */
  mtime?: Date;
  /** Stops the packing: the archive's reader then gets the signal's reason, and `rootfs` is pulled no more. */
  signal?: AbortSignal;
}

/**
 * The archive's bytes. An error from `rootfs` or from a body ends the archive with that error,
 * and so does `signal`; a reader that stops reading stops the pulling from `rootfs`. A chunk is
 * valid until the next one is asked for (gzipInParallel reuses its buffers): copy what you keep.
 */
export function packArchive(config: ArchiveConfig, rootfs: AsyncIterable<ArchiveEntry>, options: PackOptions): AsyncIterable<Uint8Array> {
  const tar = untilAborted(tarBytes(archiveEntries(config, rootfs, options.mtime ?? new Date())), options.signal);
  return options.compress ? gzipInParallel(tar, { level: options.gzipLevel }) : tar;
}

/** A plain tar of entries with their names as given: a runtime's own root filesystem. */
export function packTar(entries: AsyncIterable<ArchiveEntry>): Readable {
  return Readable.from(tarBytes(entries), { objectMode: false });
}

async function* archiveEntries(config: ArchiveConfig, rootfs: AsyncIterable<ArchiveEntry>, mtime: Date): AsyncGenerator<ArchiveEntry> {
  const configBytes = serializeArchiveConfig(config);
  const configHeader: TarHeader = {
    name: CONFIG_ENTRY_NAME,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: configBytes.length,
    mtime,
    linkname: '',
    uname: 'root',
    gname: 'root',
    devmajor: 0,
    devminor: 0,
  };
  // The rootfs is started before config.json is read: a reader that stops right after it must
  // still let the rootfs go, and a generator that was never started cannot run its cleanup.
  const entries = rootfs[Symbol.asyncIterator]();
  let next = entries.next();
  next.catch(() => undefined); // awaited below, unless the reader stops first
  let finished = false;
  try {
    yield { header: configHeader, body: bodyOf(configBytes) };
    for (let result = await next; !result.done; result = await next) {
      yield { header: archivedHeader(result.value.header), body: result.value.body };
      next = entries.next();
    }
    finished = true;
  } finally {
    if (!finished) void next.then(() => entries.return?.()).catch(() => undefined);
  }
}

/** Where the entry goes in the archive: under rootfs/, with GNU tar's trailing slash on directories. */
function archivedHeader(header: TarHeader): TarHeader {
  const path = archivedPath(header.name);
  return {
    ...header,
    name: header.type === 'directory' && path !== ROOTFS_PREFIX ? `${path}/` : path,
    linkname: header.type === 'link' ? archivedHardlinkTarget(header) : header.type === 'symlink' ? header.linkname : '',
  };
}

function archivedHardlinkTarget(header: TarHeader): string {
  const target = archivedPath(header.linkname ?? '');
  if (target === ROOTFS_PREFIX) throw new Error(`Cannot archive hardlink "${header.name}": it has no target`);
  return target;
}

function archivedPath(name: string): string {
  const location = normalizeEntryPath(name);
  // The runtime hands us its own files; an unsafe name there is a bug, not something to archive.
  if (!location.safe) throw new Error(`Cannot archive rootfs entry "${name}": ${location.reason}`);
  return location.path === '' ? ROOTFS_PREFIX : `${ROOTFS_PREFIX}${location.path}`;
}
