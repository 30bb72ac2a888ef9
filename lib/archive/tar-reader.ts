// Reads tar entries from a stream of tar bytes, and says what went wrong in the API client's
// terms: not a tar at all, truncated, or corrupt after some entry. Only header blocks are
// decoded (tar-header.ts); a body is handed on as views of the chunks the tar arrived in.
//
// The archive ends at its first zero block, as GNU tar and Go's archive/tar (the engine's)
// read it, and only zeros may follow: an entry after the end would be one that `tar -t` does
// not list, and a tar that stops without the end, even between two entries, is truncated.
import type { ArchiveEntry, TarHeader } from './entry.ts';
import { ChunkQueue } from './chunk-queue.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { dataBytesOf, HeaderSequence, type TruncatedArchive } from './header-sequence.ts';
import { paddingAfter } from './tar-header.ts';

/** One entry as read, names and all still untrusted. */
export class RawTarEntry {
  /** Bytes of the body not handed on yet, then the padding to the next header. */
  #unread: number;
  #padding: number;

  constructor(
    readonly header: TarHeader,
    private readonly input: ChunkQueue,
    private readonly truncated: () => TruncatedArchive,
  ) {
    const dataBytes = dataBytesOf(header);
    this.#unread = dataBytes;
    this.#padding = paddingAfter(dataBytes);
  }

  /** The entry's bytes. Read it once; whatever is left unread is skipped by `drain`. */
  async *body(): AsyncGenerator<Buffer> {
    while (this.#unread > 0) {
      const chunk = await this.input.readUpTo(this.#unread);
      if (chunk === undefined) throw this.truncated();
      this.#unread -= chunk.length;
      yield chunk;
    }
  }

  /** Passes over what was not read, up to the next header. Harmless when repeated. */
  async drain(): Promise<void> {
    const rest = this.#unread + this.#padding;
    this.#unread = 0;
    this.#padding = 0;
    if (!(await this.input.skip(rest))) throw this.truncated();
  }
}

export class TarReader {
  #input: ChunkQueue;
  #current: RawTarEntry | undefined;
  #headers = new HeaderSequence();
  #ended = false;

  /**
   * `observe` sees every chunk before it is parsed and may throw to abort the read. A tar of no
   * entry at all is not one stevedore reads, unless `mayBeEmpty`: one stevedore made itself.
   */
  constructor(
    tarChunks: AsyncIterable<Buffer>,
    observe: (chunk: Buffer) => void,
    private readonly mayBeEmpty = false,
  ) {
    this.#input = new ChunkQueue(observed(tarChunks, observe));
  }

  /** The next entry, or undefined after the last one of a complete archive. */
  async next(): Promise<RawTarEntry | undefined> {
    if (this.#ended) return undefined;
    await this.#current?.drain();
    const header = await this.#readHeader();
    if (header === undefined) {
      this.#ended = true;
      await this.#readEnd();
      return undefined;
    }
    this.#current = new RawTarEntry(header, this.#input, () => this.#headers.truncated());
    return this.#current;
  }

  /**
   * The tar from where this reader stands (within an entry's body, or past it once drained) to
   * the end, for a reader that goes on chunk by chunk (tar-splice.ts) with `headers`: the global
   * pax records and the last entry's name carry over. This reader reads no more.
   */
  unread(): AsyncGenerator<Buffer> {
    this.#ended = true;
    return this.#input.rest();
  }

  /** What this reader knows between entries; see `unread`. */
  get headers(): HeaderSequence {
    return this.#headers;
  }

  /** Stops reading; the input is released. Harmless after the end. */
  close(): void {
    this.#ended = true;
    void this.#input.close().catch(() => undefined);
  }

  /** The next entry's header with its pax and GNU long-name headers applied; undefined at the end. */
  async #readHeader(): Promise<TarHeader | undefined> {
    for (;;) {
      const block = await this.#input.read(TAR_BLOCK_BYTES);
      if (block === undefined) throw this.#headers.truncated();
      const decoded = this.#headers.decode(block);
      if (decoded.kind === 'end') return undefined;
      if (decoded.kind === 'entry') return this.#headers.entry(decoded.header);
      const body = await this.#input.read(decoded.size);
      if (body === undefined || !(await this.#input.skip(paddingAfter(decoded.size)))) throw this.#headers.truncated();
      this.#headers.takeMeta(decoded.type, body);
    }
  }

  /** What follows the first zero block: more zeros (the second block, a record's padding) or nothing. */
  async #readEnd(): Promise<void> {
    if (!this.mayBeEmpty) this.#headers.requireStarted();
    for (let chunk = await this.#input.readUpTo(Number.POSITIVE_INFINITY); chunk; chunk = await this.#input.readUpTo(Number.POSITIVE_INFINITY)) {
      if (chunk.some((byte) => byte !== 0)) throw this.#headers.corrupt('data after the end-of-archive block');
    }
  }
}

/**
 * Entries of a tar the caller trusts (a runtime's own root filesystem), nothing skipped.
 * `mayBeEmpty`: a tar stevedore wrote itself, where no entry is a root filesystem with nothing in it.
 */
export async function* readTarEntries(tarChunks: AsyncIterable<Buffer>, mayBeEmpty = false): AsyncGenerator<ArchiveEntry> {
  const reader = new TarReader(tarChunks, () => undefined, mayBeEmpty);
  try {
    for (let entry = await reader.next(); entry; entry = await reader.next()) {
      yield { header: entry.header, body: entry.body() };
      await entry.drain();
    }
  } finally {
    reader.close();
  }
}

async function* observed(chunks: AsyncIterable<Buffer>, observe: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    observe(chunk);
    yield chunk;
  }
}
