// Reads a tar (or gzipped tar) held in memory into a comparable description of its entries,
// with tar-stream and zlib directly, independent of stevedore's own archive code.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';

export interface EntrySnapshot {
  name: string;
  type: string;
  mode: number;
  size: number;
  sha256: string;
  linkname: string;
}

/** Size and sha256 of an entry's body, read to the end. */
export async function digestBody(body: AsyncIterable<Buffer>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

export async function snapshotTar(bytes: Buffer): Promise<EntrySnapshot[]> {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const extract = tar.extract();
  Readable.from([plain]).pipe(extract as unknown as NodeJS.WritableStream);
  const entries: EntrySnapshot[] = [];
  for await (const entry of extract) {
    const { size, sha256 } = await digestBody(entry as AsyncIterable<Buffer>);
    entries.push(describe(entry.header.name, entry.header.type, entry.header.mode, size, sha256, entry.header.linkname));
  }
  return entries;
}

export async function snapshotEntries(source: AsyncIterable<ArchiveEntry>): Promise<EntrySnapshot[]> {
  const entries: EntrySnapshot[] = [];
  for await (const { header, body } of source) {
    const { size, sha256 } = await digestBody(body);
    entries.push(describe(header.name, header.type ?? 'file', header.mode ?? 0, size, sha256, header.linkname ?? ''));
  }
  return entries;
}

function describe(name: string, type: string, mode: number, size: number, sha256: string, linkname: string | null | undefined): EntrySnapshot {
  return { name: name.replace(/^\.\//, '').replace(/\/$/, ''), type, mode: mode & 0o7777, size, sha256, linkname: linkname ?? '' };
}

/** Entries under `prefix/`, renamed relative to it. */
export function under(entries: EntrySnapshot[], prefix: string): EntrySnapshot[] {
  return entries
    .filter((e) => e.name.startsWith(`${prefix}/`))
    .map((e) => ({ ...e, name: e.name.slice(prefix.length + 1), linkname: e.type === 'link' ? e.linkname.replace(new RegExp(`^${prefix}/`), '') : e.linkname }));
}
