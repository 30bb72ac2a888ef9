// A runtime's export as the entries the archive is packed from, whichever form the runtime
// gave it in, with the bytes read reported as they go: progress is made of them.
import type { ArchiveEntry } from '../archive/entry.ts';
import { countBytes } from '../archive/count-bytes.ts';
import { readTarEntries } from '../archive/tar-reader.ts';
import type { RootfsExport } from './runtime.ts';

export function rootfsEntries(rootfs: RootfsExport, onBytesRead: (total: number) => void): AsyncIterable<ArchiveEntry> {
  if (rootfs.format === 'tar') return readTarEntries(countBytes(rootfs.tar, (_, total) => onBytesRead(total)));
  return countedBodies(rootfs.entries, onBytesRead);
}

async function* countedBodies(entries: AsyncIterable<ArchiveEntry>, onBytesRead: (total: number) => void): AsyncGenerator<ArchiveEntry> {
  let before = 0;
  for await (const entry of entries) {
    const start = before;
    yield { header: entry.header, body: countBytes(entry.body, (_, total) => onBytesRead((before = start + total))) };
  }
}
