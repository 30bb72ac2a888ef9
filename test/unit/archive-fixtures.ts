// Helpers for the archive tests: a sample config, byte sources and digests. Tarballs come from
// test/support/archives.ts.
import { createHash } from 'node:crypto';
import type { ArchiveConfig, ArchiveEntry, TarHeader } from '../../lib/archive/entry.ts';
import { digestBody, type EntrySnapshot } from '../support/tar-snapshot.ts';

export { collect } from '../support/archives.ts';

export const SAMPLE_CONFIG: ArchiveConfig = {
  arch: 'amd64',
  autostart: false,
  image: 'demo:latest',
  name: 'utest',
  network: { hostname: 'utest', port: [[8080, 80, 'tcp']] },
  resource: { limit: { memory: '768m' } },
  type: 'lxc',
  volume: {},
  source: 'stevedore',
};

export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

/** A file's header with every field set (root's, FIXED_MTIME), `fields` over it. */
export function headerOf(fields: Partial<TarHeader>): TarHeader {
  return {
    name: '',
    type: 'file',
    mode: 0o644,
    size: 0,
    mtime: FIXED_MTIME,
    linkname: '',
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    devmajor: 0,
    devminor: 0,
    ...fields,
  };
}

export interface EntryDescription extends EntrySnapshot {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
}

/** Reads every entry, body included, into a comparable description. */
export async function describeEntries(entries: AsyncIterable<ArchiveEntry>): Promise<EntryDescription[]> {
  const described: EntryDescription[] = [];
  for await (const { header, body } of entries) {
    const { size, sha256 } = await digestBody(body);
    described.push({
      name: header.name,
      type: String(header.type),
      mode: header.mode,
      size,
      sha256,
      linkname: header.linkname ?? '',
      uid: header.uid,
      gid: header.gid,
      uname: header.uname,
      gname: header.gname,
      mtime: header.mtime.getTime(),
    });
  }
  return described;
}

/** The error `work` fails with, or undefined when it succeeds. */
export async function errorOf(work: () => Promise<unknown>): Promise<Error | undefined> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hands the buffer over in small chunks, like a network stream would. */
export async function* chunked(bytes: Buffer, chunkBytes = 16 * 1024): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    yield bytes.subarray(offset, offset + chunkBytes);
  }
}

/** A range reader over a buffer that counts the bytes asked for. */
export function countingRangeReader(bytes: Buffer): { read: (start: number, end: number) => Promise<Buffer>; requestedBytes: () => number } {
  let requested = 0;
  return {
    read: async (start, end) => {
      requested += end - start + 1;
      return bytes.subarray(start, end + 1);
    },
    requestedBytes: () => requested,
  };
}
