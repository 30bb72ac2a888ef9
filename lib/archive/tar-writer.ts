// A tar's bytes from entries: each entry's header blocks, its body's chunks as they come (never
// copied), zeros to a whole block, and the end-of-archive blocks. Pulled: the next entry is
// asked for only when the reader wants the bytes after the previous one.
import type { ArchiveEntry, TarHeader } from './entry.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { encodeEntryHeader, paddingAfter } from './tar-header.ts';

/** Two zero blocks end a tar. Shared by every tar written: readers never change the bytes they get. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * TAR_BLOCK_BYTES);

/** Zeros after a body of `size` bytes, up to the next block. */
export function paddingBytes(size: number): Buffer {
  return END_OF_ARCHIVE.subarray(0, paddingAfter(size));
}

/** An entry's header blocks as written, and the bytes of data that must follow them. */
export function writtenHeader(header: TarHeader): { blocks: Buffer; size: number } {
  // Only files have data; a size on anything else would make readers skip the next header.
  const size = header.type === 'file' || header.type === 'contiguous-file' ? header.size : 0;
  return { blocks: encodeEntryHeader(size === header.size ? header : { ...header, size }), size };
}

export async function* tarBytes(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>): AsyncGenerator<Buffer> {
  for await (const { header, body } of entries) {
    const { blocks, size } = writtenHeader(header);
    yield blocks;
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > size) throw new Error(`tar entry "${header.name}" has more bytes than the ${size} its header announces`);
      yield chunk;
    }
    if (written < size) throw new Error(`tar entry "${header.name}" has ${written} bytes, fewer than the ${size} its header announces`);
    if (paddingAfter(size) > 0) yield paddingBytes(size);
  }
  yield END_OF_ARCHIVE;
}
