// Export's archive: config.json first, then the container's root filesystem under rootfs/,
// as a tar, gzip-compressed when asked. Streams end to end: entries are pulled one at a time,
// each body chunk only when the reader of the archive wants more bytes.
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { Header as TarHeader } from 'tar-stream';
import { whenWritable } from './backpressure.ts';
import { serializeArchiveConfig } from './config.ts';
import type { ArchiveConfig, ArchiveEntry } from './entry.ts';
import { normalizeEntryPath } from './entry-path.ts';
import { CONFIG_ENTRY_NAME, ROOTFS_PREFIX } from './format.ts';
import { gzipInParallel } from './parallel-gzip.ts';
import { paxRecordsToWrite } from './pax.ts';

type Pack = ReturnType<typeof tarStream.pack>;
type PackedHeader = Parameters<Pack['entry']>[0];

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
 * and so does `signal`; a reader that stops reading stops the pulling from `rootfs`. A chunk of a
 * compressed archive is valid until the next one is asked for (gzipInParallel): copy what you keep.
 */
export function packArchive(config: ArchiveConfig, rootfs: AsyncIterable<ArchiveEntry>, options: PackOptions): AsyncIterable<Uint8Array> {
  const tar = tarStream.pack();
  writeArchive(tar, config, rootfs, options.mtime ?? new Date()).catch((error: unknown) => tar.destroy(error as Error));
  // Its errors reach the archive's reader through the iteration; a pack destroyed before anyone
  // read it (a write that failed first, a task stopped at once) must not throw them uncaught.
  tar.on('error', () => undefined);
  const { signal } = options;
  if (signal) {
    const stop = () => tar.destroy(signal.reason as Error);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    tar.once('close', () => signal.removeEventListener('abort', stop));
  }
  // gzip reads tar-stream's chunks one by one: a Node Readable around them would join every
  // chunk buffered meanwhile into a fresh buffer at each read of its async iterator.
  if (options.compress) return gzipInParallel(tar as AsyncIterable<Buffer>, { level: options.gzipLevel });
  return Readable.from(tar, { objectMode: false });
}

/** A plain tar of entries with their names as given: a runtime's own root filesystem. */
export function packTar(entries: AsyncIterable<ArchiveEntry>): Readable {
  const tar = tarStream.pack();
  (async () => {
    for await (const { header, body } of entries) await writeEntry(tar, encodableHeader(header), body);
    tar.finalize();
  })().catch((error: unknown) => tar.destroy(error as Error));
  return Readable.from(tar, { objectMode: false });
}

async function writeArchive(tar: Pack, config: ArchiveConfig, rootfs: AsyncIterable<ArchiveEntry>, mtime: Date): Promise<void> {
  const configBytes = serializeArchiveConfig(config);
  const configHeader: PackedHeader = {
    name: CONFIG_ENTRY_NAME,
    type: 'file',
    mode: 0o644,
    size: configBytes.length,
    mtime,
    uname: 'root',
    gname: 'root',
  };
  await writeEntry(tar, configHeader, [configBytes]);
  for await (const { header, body } of rootfs) {
    await writeEntry(tar, archivedHeader(header), body);
  }
  tar.finalize();
}

/** Where the entry goes in the archive: under rootfs/, with GNU tar's trailing slash on directories. */
function archivedHeader(header: TarHeader): TarHeader {
  const path = archivedPath(header.name);
  const isDirectory = header.type === 'directory';
  const carriesBody = header.type === 'file' || header.type === 'contiguous-file';
  return encodableHeader({
    ...header,
    name: isDirectory && path !== ROOTFS_PREFIX ? `${path}/` : path,
    linkname: header.type === 'link' ? archivedHardlinkTarget(header) : header.type === 'symlink' ? header.linkname : '',
    size: carriesBody ? header.size : 0,
  });
}

/** The header as tar-stream must be given it to write what the header says. */
function encodableHeader(header: TarHeader): TarHeader {
  return {
    ...header,
    // tar-stream replaces a mode of 0 (a real one: /etc/shadow on some distributions) by its
    // default; a file-type bit keeps it truthy and tar-stream masks it out when encoding.
    mode: (header.mode & 0o7777) | 0o100000,
    pax: paxRecordsToWrite(header),
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

async function writeEntry(tar: Pack, header: PackedHeader, body: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  let settle!: (error?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  written.catch(() => undefined); // awaited below; a failure while writing surfaces first
  const sink = tar.entry(header, settle);
  // Without a listener an 'error' event on the sink would be thrown as uncaught.
  sink.on('error', () => undefined);

  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > (header.size ?? 0)) {
      throw new Error(`rootfs entry "${header.name}" has more bytes than the ${header.size ?? 0} its header announces`);
    }
    if (!sink.write(chunk)) await whenWritable(sink);
    if (sink.destroying) throw new Error('archive output closed');
  }
  sink.end(undefined);
  await written;
}
