// tar-stream accepts a stream that stops cleanly between two entries as if it were complete,
// so an archive cut at an entry boundary would import as a smaller container. A complete tar
// ends with zero blocks after the last entry's data; this tracks whether we saw them.
import type { Header as TarHeader } from 'tar-stream';
import { TAR_BLOCK_BYTES } from './format.ts';

const ZERO_BLOCK = Buffer.alloc(TAR_BLOCK_BYTES);

export class EndOfArchiveTracker {
  #tarBytes = 0;
  /** Offset just past the last non-zero byte of the tar stream. */
  #nonZeroEnd = 0;
  /** Offset just past the last entry's data and padding. */
  #lastEntryEnd = 0;

  /** Sees every byte of the tar stream, in order. */
  observe(chunk: Buffer): void {
    const nonZeroEnd = endOfNonZeroBytes(chunk);
    if (nonZeroEnd > 0) this.#nonZeroEnd = this.#tarBytes + nonZeroEnd;
    this.#tarBytes += chunk.length;
  }

  /** `headerOffset` is where the entry's own header block starts (after any pax header). */
  observeEntry(header: TarHeader, headerOffset: number): void {
    // tar-stream reads no data for directories whatever their size field says.
    const dataBytes = header.type === 'directory' ? 0 : roundUpToBlock(header.size);
    this.#lastEntryEnd = headerOffset + TAR_BLOCK_BYTES + dataBytes;
  }

  /** At least one zero block after the last entry, and nothing but zeros there (GNU tar writes two). */
  sawEndMarker(): boolean {
    return this.#nonZeroEnd <= this.#lastEntryEnd && this.#tarBytes - this.#lastEntryEnd >= TAR_BLOCK_BYTES;
  }
}

function roundUpToBlock(bytes: number): number {
  return Math.ceil(bytes / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
}

// Compares whole blocks against zeros (a memcmp) and only scans bytes within the last
// non-zero block, so long runs of zeros cost little.
function endOfNonZeroBytes(chunk: Buffer): number {
  let end = chunk.length;
  while (end > 0) {
    const start = Math.max(0, end - TAR_BLOCK_BYTES);
    const block = chunk.subarray(start, end);
    if (!block.equals(ZERO_BLOCK.subarray(0, block.length))) {
      let index = block.length - 1;
      while (block[index] === 0) index -= 1;
      return start + index + 1;
    }
    end = start;
  }
  return 0;
}
