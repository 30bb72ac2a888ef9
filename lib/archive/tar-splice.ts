// A tar rewritten into another tar as its chunks arrive: every header is decoded, handed to
// `rewrite` (which may leave the entry out) and written again, and bodies pass on as views of
// the chunks they came in. An export splices a runtime's own tar into the archive; an import
// splices the archive's root filesystem, every header passing the import's policy, into the tar
// a runtime takes. The bytes are the ones reading the entries (tar-reader.ts) and writing them
// (tar-writer.ts) would give, and the errors the same; what differs is the cost. Reading entry
// by entry takes a few promises and generator steps per entry and per body chunk: for the
// 30,000 files of the benchmark's 256 MiB Docker container, the export's worker spent 0.26-0.33
// CPU s more than it does here (medians of three alternating runs, .tgz and .tar).
// Here each chunk is worked through synchronously and leaves as one buffer: a chunk of body
// alone as it came, a chunk holding headers as the concatenation of what it became.
import type { TarHeader } from './entry.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { dataBytesOf, HeaderSequence } from './header-sequence.ts';
import { type MetaHeaderType, paddingAfter } from './tar-header.ts';
import { END_OF_ARCHIVE, paddingBytes, writtenHeader } from './tar-writer.ts';

/** An entry's header as it is written, or undefined to leave the entry (and its data) out. */
export type HeaderRewrite = (header: TarHeader) => TarHeader | undefined;

/** Where a splice takes over from an entry-by-entry reader (TarReader.unread). */
export interface SpliceContinuation {
  headers: HeaderSequence;
  /** The entry whose data comes first, when the reader stopped right after its header: as read, and rewritten. */
  current?: { header: TarHeader; rewritten: TarHeader | undefined };
}

/**
 * Rewrites the tar of `chunks`, one output buffer per input chunk that gives any. When the
 * input turns out broken, what its last chunk gave before the fault comes out first: a reader
 * of the output gets every entry before the fault, then the error.
 */
export async function* splicedTar(chunks: AsyncIterable<Buffer>, rewrite: HeaderRewrite, continuation?: SpliceContinuation): AsyncGenerator<Buffer> {
  const splicer = new TarSplicer(rewrite, continuation?.headers);
  const out: Buffer[] = [];
  const taken = () => {
    const spliced = out.length === 1 ? out[0]! : Buffer.concat(out);
    out.length = 0;
    return spliced;
  };
  if (continuation?.current) splicer.startEntry(continuation.current.header, continuation.current.rewritten, out);
  try {
    for await (const chunk of chunks) {
      splicer.push(chunk, out);
      if (out.length > 0) yield taken();
    }
    splicer.end(out);
  } catch (error) {
    if (out.length > 0) yield taken();
    throw error;
  }
  yield taken();
}

export class TarSplicer {
  readonly #headers: HeaderSequence;
  #step: 'header' | 'meta' | 'body' | 'end' = 'header';
  /** Input bytes to pass over first: an entry's padding, or data the rewritten entry does not have. */
  #skip = 0;
  /** Body bytes of the current entry still to pass on. */
  #body = 0;
  /** The current entry's size as written: its padding follows its body. */
  #writtenSize = 0;
  #inputPadding = 0;
  #meta: { type: MetaHeaderType; size: number } | undefined;
  /** A header block or meta body that spans chunks, gathered into a buffer of its own. */
  #gathering: Buffer | undefined;
  #gathered = 0;

  constructor(
    private readonly rewrite: HeaderRewrite,
    headers = new HeaderSequence(),
  ) {
    this.#headers = headers;
  }

  /** Appends the entry's rewritten header to `out` (nothing when it is left out); its data is the input's next bytes. */
  startEntry(header: TarHeader, rewritten: TarHeader | undefined, out: Buffer[]): void {
    const dataBytes = dataBytesOf(header);
    this.#inputPadding = paddingAfter(dataBytes);
    this.#step = 'header';
    const written = rewritten && writtenHeader(rewritten);
    if (written) out.push(written.blocks);
    if (written && written.size === dataBytes && dataBytes > 0) {
      this.#writtenSize = dataBytes;
      this.#body = dataBytes;
      this.#step = 'body';
    } else {
      // Nothing to pass on: an entry left out, an empty file, or data on an entry written without any.
      this.#skip = dataBytes + this.#inputPadding;
    }
  }

  /** Appends to `out` what `chunk` becomes. Throws on a tar that is not one. */
  push(chunk: Buffer, out: Buffer[]): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, chunk.length - offset);
        this.#skip -= skipped;
        offset += skipped;
      } else if (this.#step === 'body') {
        const passed = Math.min(this.#body, chunk.length - offset);
        out.push(chunk.subarray(offset, offset + passed));
        offset += passed;
        this.#body -= passed;
        if (this.#body === 0) this.#endBody(out);
      } else if (this.#step === 'header') {
        offset = this.#gather(chunk, offset, TAR_BLOCK_BYTES, (block) => this.#header(block, out));
      } else if (this.#step === 'meta') {
        const meta = this.#meta!;
        offset = this.#gather(chunk, offset, meta.size, (body) => this.#takeMeta(meta, body));
      } else {
        // Only zeros may follow the end: the second block, a record's padding.
        if (chunk.subarray(offset).some((byte) => byte !== 0)) throw this.#headers.corrupt('data after the end-of-archive block');
        offset = chunk.length;
      }
    }
  }

  /** Appends the end of the archive to `out`; throws when the tar stopped before its own. */
  end(out: Buffer[]): void {
    if (this.#step !== 'end') throw this.#headers.truncated();
    out.push(END_OF_ARCHIVE);
  }

  /** Takes `size` bytes from `offset` on, across chunks when it must; `use` gets them once all arrived. */
  #gather(chunk: Buffer, offset: number, size: number, use: (bytes: Buffer) => void): number {
    if (this.#gathered === 0 && chunk.length - offset >= size) {
      use(chunk.subarray(offset, offset + size));
      return offset + size;
    }
    this.#gathering ??= Buffer.allocUnsafe(size);
    const copied = chunk.copy(this.#gathering, this.#gathered, offset, Math.min(chunk.length, offset + size - this.#gathered));
    this.#gathered += copied;
    if (this.#gathered === size) {
      const gathered = this.#gathering;
      this.#gathering = undefined;
      this.#gathered = 0;
      use(gathered);
    }
    return offset + copied;
  }

  #header(block: Buffer, out: Buffer[]): void {
    const decoded = this.#headers.decode(block);
    if (decoded.kind === 'end') {
      this.#headers.requireStarted();
      this.#step = 'end';
    } else if (decoded.kind === 'meta') {
      this.#meta = { type: decoded.type, size: decoded.size };
      if (decoded.size === 0) this.#takeMeta(this.#meta, Buffer.alloc(0));
      else this.#step = 'meta';
    } else {
      const header = this.#headers.entry(decoded.header);
      this.startEntry(header, this.rewrite(header), out);
    }
  }

  #takeMeta(meta: { type: MetaHeaderType; size: number }, body: Buffer): void {
    this.#headers.takeMeta(meta.type, body);
    this.#skip = paddingAfter(meta.size);
    this.#step = 'header';
  }

  #endBody(out: Buffer[]): void {
    if (paddingAfter(this.#writtenSize) > 0) out.push(paddingBytes(this.#writtenSize));
    this.#skip = this.#inputPadding;
    this.#step = 'header';
  }
}
