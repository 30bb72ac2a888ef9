// Root filesystems that tests make containers of.
import { randomBytes } from 'node:crypto';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';

const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(0), linkname: '', devmajor: 0, devminor: 0 };

/** `data/blob-N` files of random bytes: an export of them takes a while, and gzip cannot shrink them. */
export async function* incompressibleRootfs(files: number, bytesEach: number): AsyncGenerator<ArchiveEntry> {
  yield { header: { ...ROOT, name: 'data', type: 'directory', mode: 0o755, size: 0 }, body: (async function* () {})() };
  for (let i = 0; i < files; i++) {
    yield { header: { ...ROOT, name: `data/blob-${i}`, type: 'file', mode: 0o644, size: bytesEach }, body: (async function* () { yield randomBytes(bytesEach); })() };
  }
}
