// A runtime's export as the archive is packed from it, in the form the runtime gave it, with
// the bytes read reported as they go: progress is made of them.
import type { ArchiveEntry } from '../archive/entry.ts';
import { countBytes } from '../archive/count-bytes.ts';
import type { RootfsSource } from '../archive/pack.ts';
import type { RootfsExport } from './runtime.ts';

export function countedRootfs(rootfs: RootfsExport, onBytesRead: (total: number) => void): RootfsSource {
  if (rootfs.format === 'tar') return { format: 'tar', tar: countBytes(rootfs.tar, (_, total) => onBytesRead(total)) };
  return { format: 'entries', entries: countedBodies(rootfs.entries, onBytesRead) };
}

async function* countedBodies(entries: AsyncIterable<ArchiveEntry>, onBytesRead: (total: number) => void): AsyncGenerator<ArchiveEntry> {
  let before = 0;
  for await (const entry of entries) {
    const start = before;
    yield { header: entry.header, body: countBytes(entry.body, (_, total) => onBytesRead((before = start + total))) };
  }
}
