// Export's archive: config.json first, then the container's root filesystem under rootfs/,
// as a tar, gzip-compressed when asked. Streams end to end: the rootfs is pulled only when the
// reader of the archive wants more bytes, and bodies pass through as the runtime gave them
// (only headers are rewritten), whether it gave entries or a tar of its own.
import { Readable } from 'node:stream';
import { serializeArchiveConfig } from './config.ts';
import { type ArchiveConfig, type ArchiveEntry, type TarHeader, bodyOf } from './entry.ts';
import { normalizeEntryPath } from './entry-path.ts';
import { CONFIG_ENTRY_NAME, ROOTFS_PREFIX } from './format.ts';
import { gzipInParallel } from './parallel-gzip.ts';
import { splicedTar } from './tar-splice.ts';
import { paddingBytes, tarBytes, writtenHeader } from './tar-writer.ts';
import { untilAborted } from './until-aborted.ts';

/**
 * The root filesystem to pack: entries (a directory walk), or a tar stevedore trusts (a
 * runtime's own export), spliced into the archive rather than read entry by entry.
 */
export type RootfsSource = { format: 'entries'; entries: AsyncIterable<ArchiveEntry> } | { format: 'tar'; tar: AsyncIterable<Buffer> };

export interface PackOptions {
  compress: boolean;
  gzipLevel: number;
  /** mtime of config.json; defaults to now. Fixed, it makes the archive's bytes reproducible. */
  mtime?: Date;
  /** Stops the packing: the archive's reader then gets the signal's reason, and `rootfs` is pulled no more. */
  signal?: AbortSignal;
}

/**
 * The archive's bytes, the same from either form of root filesystem. An error from `rootfs` or
 * from a body ends the archive with that error, and so does `signal`; a reader that stops
 * reading stops the pulling from `rootfs`. A chunk is valid until the next one is asked for
 * (gzipInParallel reuses its buffers): copy what you keep.
 */
export function packArchive(config: ArchiveConfig, rootfs: RootfsSource, options: PackOptions): AsyncIterable<Uint8Array> {
  const configEntry = configEntryOf(config, options.mtime ?? new Date());
  const archive =
    rootfs.format === 'tar'
      ? afterFirst(Buffer.concat([writtenHeader(configEntry.header).blocks, configEntry.bytes, paddingBytes(configEntry.bytes.length)]), splicedTar(rootfs.tar, archivedHeader))
      : tarBytes(afterFirst({ header: configEntry.header, body: bodyOf(configEntry.bytes) }, archivedEntries(rootfs.entries)));
  const tar = untilAborted(archive, options.signal);
  return options.compress ? gzipInParallel(tar, { level: options.gzipLevel }) : tar;
}

/** A plain tar of entries with their names as given: a runtime's own root filesystem. */
export function packTar(entries: AsyncIterable<ArchiveEntry>): Readable {
  return Readable.from(tarBytes(entries), { objectMode: false });
}

function configEntryOf(config: ArchiveConfig, mtime: Date): { header: TarHeader; bytes: Buffer } {
  const bytes = serializeArchiveConfig(config);
  const header: TarHeader = {
    name: CONFIG_ENTRY_NAME,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: bytes.length,
    mtime,
    linkname: '',
    uname: 'root',
    gname: 'root',
    devmajor: 0,
    devminor: 0,
  };
  return { header, bytes };
}

async function* archivedEntries(rootfs: AsyncIterable<ArchiveEntry>): AsyncGenerator<ArchiveEntry> {
  for await (const { header, body } of rootfs) yield { header: archivedHeader(header), body };
}

/**
 * `first`, then `rest`. The rest is started before the first is read: a reader that stops
 * right after config.json must still let the rootfs go, and a generator that was never
 * started cannot run its cleanup.
 */
async function* afterFirst<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = rest[Symbol.asyncIterator]();
  let next = iterator.next();
  next.catch(() => undefined); // awaited below, unless the reader stops first
  let finished = false;
  try {
    yield first;
    for (let result = await next; !result.done; result = await next) {
      yield result.value;
      next = iterator.next();
    }
    finished = true;
  } finally {
    if (!finished) void next.then(() => iterator.return?.()).catch(() => undefined);
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
