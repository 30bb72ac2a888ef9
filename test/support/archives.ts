// Archives built in tests with tar-stream and zlib directly (never with stevedore's own
// archive code): plain root-filesystem tarballs like `docker export` writes, archives in
// stevedore's format (config.json first, the root filesystem under rootfs/), hostile ones,
// and a gzip bomb streamed through zlib without ever holding its plain bytes.
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import type { Header } from 'tar-stream';

/** One entry to write: the header fields that matter, and the content of a file. */
export interface EntrySpec {
  name: string;
  type?: Header['type'];
  mode?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  content?: string | Buffer;
}

const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

function headerOf(spec: EntrySpec, size: number): Partial<Header> & Pick<Header, 'name'> {
  const type = spec.type ?? 'file';
  return {
    name: spec.name,
    type,
    mode: spec.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    size,
    mtime: FIXED_MTIME,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    linkname: spec.linkname ?? '',
    devmajor: spec.devmajor ?? 0,
    devminor: spec.devminor ?? 0,
  };
}

/** Every byte of `source`, each chunk copied as it comes: a producer may reuse a chunk once the next is asked for. */
export async function collect(source: AsyncIterable<Uint8Array> | Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A tar (gzipped when asked) with exactly these entries, in this order, names as given. */
export async function buildTar(entries: EntrySpec[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tarStream.pack();
  const bytes = collect(Readable.from(pack, { objectMode: false }));
  for (const spec of entries) {
    const content = spec.content === undefined ? Buffer.alloc(0) : Buffer.from(spec.content);
    // Always with a buffer (an empty one too): without one, tar-stream waits for the body.
    await new Promise<void>((resolve, reject) => {
      pack.entry(headerOf(spec, content.length), content, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  const tar = await bytes;
  return options.gzip ? gzipSync(tar) : tar;
}

export const file = (name: string, content: string | Buffer): EntrySpec => ({ name, content });
export const directory = (name: string): EntrySpec => ({ name, type: 'directory' });
export const symlink = (name: string, linkname: string): EntrySpec => ({ name, type: 'symlink', linkname });
export const hardlink = (name: string, linkname: string): EntrySpec => ({ name, type: 'link', linkname });

/** The config.json of a stevedore archive. */
export function configEntry(config: Record<string, unknown>): EntrySpec {
  return { name: 'config.json', content: `${JSON.stringify(config, null, 2)}\n` };
}

/** A small root filesystem as `docker export` writes it: no `./`, directories with a slash. */
export function plainRootfsEntries(): EntrySpec[] {
  return [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', mode: 0o755, content: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)) },
    { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
    { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hostname', content: 'plain\n' },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    { name: 'etc/shadow', mode: 0o000, content: 'root:*:19723:0:99999:7:::\n' },
    { name: 'etc/motd', content: '' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'var/', type: 'directory' },
    { name: 'var/empty/', type: 'directory', mode: 0o700 },
  ];
}

/**
 * A gzipped tar whose `name` entry is `bytes` zeros, after `before` (small entries): the
 * zeros are written through tar-stream and zlib one chunk at a time, so only the
 * compressed bytes are ever held.
 */
export async function gzipBomb(before: EntrySpec[], name: string, bytes: number): Promise<Buffer> {
  const pack = tarStream.pack();
  const gzip = createGzip({ level: 6 });
  Readable.from(pack, { objectMode: false }).pipe(gzip);
  const compressed = collect(gzip);
  for (const spec of before) {
    const content = spec.content === undefined ? Buffer.alloc(0) : Buffer.from(spec.content);
    await new Promise<void>((resolve, reject) => pack.entry(headerOf(spec, content.length), content, (e) => (e ? reject(e) : resolve())));
  }
  const zeros = Buffer.alloc(1024 * 1024);
  let written: () => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    written = resolve;
    failed = reject;
  });
  const sink = pack.entry(headerOf({ name }, bytes), (error) => (error ? failed(error) : written()));
  for (let left = bytes; left > 0; left -= zeros.length) {
    if (!sink.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
  sink.end(undefined);
  await done;
  pack.finalize();
  return compressed;
}
