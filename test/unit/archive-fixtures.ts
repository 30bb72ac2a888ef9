// Helpers for the archive tests: real tarballs built with tar-stream, byte sources and digests.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import type { Header } from 'tar-stream';
import type { ArchiveConfig, ArchiveEntry } from '../../lib/archive/entry.ts';
import { digestBody, type EntrySnapshot } from '../support/tar-snapshot.ts';

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
      type: header.type,
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

export async function collect(stream: AsyncIterable<Buffer> | Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
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

export interface RawTarEntry {
  header: Partial<Header> & { name: string };
  content?: Buffer | string;
}

/** A tarball exactly as given: names, types and link targets are not checked or fixed. */
export async function buildTar(entries: RawTarEntry[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tarStream.pack();
  const bytes = collect(pack as unknown as AsyncIterable<Buffer>);
  for (const { header, content } of entries) {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    await new Promise<void>((resolve, reject) => {
      const full = { mtime: FIXED_MTIME, ...header };
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body) pack.entry(full, body, done);
      else pack.entry(full, done);
    });
  }
  pack.finalize();
  const tar = await bytes;
  return options.gzip ? gzipSync(tar) : tar;
}

export function file(name: string, content: string | Buffer, extra: Partial<Header> = {}): RawTarEntry {
  return { header: { name, type: 'file', mode: 0o644, ...extra }, content };
}

export function directory(name: string, extra: Partial<Header> = {}): RawTarEntry {
  return { header: { name, type: 'directory', mode: 0o755, ...extra } };
}

export function symlink(name: string, target: string): RawTarEntry {
  return { header: { name, type: 'symlink', linkname: target, mode: 0o777 } };
}

export function hardlink(name: string, target: string): RawTarEntry {
  return { header: { name, type: 'link', linkname: target, mode: 0o644 } };
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
