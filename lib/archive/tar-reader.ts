// Reads tar entries from a stream of tar bytes, and says what went wrong in the API client's
// terms: not a tar at all, truncated, or corrupt after some entry. Only header blocks are
// decoded (tar-header.ts); a body is handed on as views of the chunks the tar arrived in.
//
// The archive ends at its first zero block, as GNU tar and Go's archive/tar (the engine's)
// read it, and only zeros may follow: an entry after the end would be one that `tar -t` does
// not list, and a tar that stops without the end, even between two entries, is truncated.
import type { ArchiveEntry, TarHeader } from './entry.ts';
import { ChunkQueue } from './chunk-queue.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from './errors.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { decodeHeaderBlock, decodeLongPath, decodePaxRecords, paddingAfter } from './tar-header.ts';
import { quoteName } from './warnings.ts';

/** A tar that stops before its end: "File not supported" when not even one entry was read. */
export class TruncatedArchive extends ArchiveError {}

/** A pax header or GNU long name is read whole, so it is bounded (as tar-stream bounds it). */
const MAX_META_HEADER_BYTES = 4 * 1024 * 1024;

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
    // Like tar-stream and GNU tar, a directory has no data whatever its size field says.
    const dataBytes = header.type === 'directory' ? 0 : header.size;
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
  #lastEntryName: string | undefined;
  /** Records of a global pax header hold for every entry after it. */
  #globalPax: Record<string, string> | undefined;
  #ended = false;

  /** `observe` sees every chunk before it is parsed and may throw to abort the read. */
  constructor(tarChunks: AsyncIterable<Buffer>, observe: (chunk: Buffer) => void) {
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
    this.#lastEntryName = header.name;
    this.#current = new RawTarEntry(header, this.#input, () => this.#truncated());
    return this.#current;
  }

  /** Stops reading; the input is released. Harmless after the end. */
  close(): void {
    this.#ended = true;
    void this.#input.close().catch(() => undefined);
  }

  /** The next entry's header with its pax and GNU long-name headers applied; undefined at the end. */
  async #readHeader(): Promise<TarHeader | undefined> {
    let pax: Record<string, string> | undefined;
    let longPath: string | undefined;
    let longLinkPath: string | undefined;
    for (;;) {
      const block = await this.#input.read(TAR_BLOCK_BYTES);
      if (block === undefined) throw this.#truncated();
      const decoded = this.#decode(block);
      if (decoded.kind === 'end') return undefined;
      if (decoded.kind === 'meta') {
        if (decoded.size > MAX_META_HEADER_BYTES) throw this.#corrupt(`a ${decoded.type} of ${decoded.size} bytes`);
        const body = await this.#input.read(decoded.size);
        if (body === undefined || !(await this.#input.skip(paddingAfter(decoded.size)))) throw this.#truncated();
        if (decoded.type === 'pax-global-header') this.#globalPax = decodePaxRecords(body);
        else if (decoded.type === 'pax-header') pax = { ...this.#globalPax, ...decodePaxRecords(body) };
        else if (decoded.type === 'gnu-long-path') longPath = decodeLongPath(body);
        else longLinkPath = decodeLongPath(body);
        continue;
      }
      const { header } = decoded;
      if (longPath !== undefined) header.name = longPath;
      if (longLinkPath !== undefined) header.linkname = longLinkPath;
      if (pax) {
        if (pax.path) header.name = pax.path;
        if (pax.linkpath) header.linkname = pax.linkpath;
        if (pax.size) header.size = Number.parseInt(pax.size, 10);
        header.pax = pax;
      }
      if (!(header.size >= 0)) throw this.#corrupt('an entry without a valid size');
      return header;
    }
  }

  /** What follows the first zero block: more zeros (the second block, a record's padding) or nothing. */
  async #readEnd(): Promise<void> {
    if (this.#lastEntryName === undefined) throw new ArchiveError(FILE_NOT_SUPPORTED);
    for (let chunk = await this.#input.readUpTo(Number.POSITIVE_INFINITY); chunk; chunk = await this.#input.readUpTo(Number.POSITIVE_INFINITY)) {
      if (chunk.some((byte) => byte !== 0)) throw this.#corrupt('data after the end-of-archive block');
    }
  }

  #decode(block: Buffer): ReturnType<typeof decodeHeaderBlock> {
    try {
      return decodeHeaderBlock(block);
    } catch (error) {
      throw this.#corrupt((error as Error).message, error);
    }
  }

  #corrupt(reason: string, cause?: unknown): ArchiveError {
    // Whatever is wrong before a single entry was read is not a tar to begin with.
    if (this.#lastEntryName === undefined) return new ArchiveError(FILE_NOT_SUPPORTED, { cause });
    return new ArchiveError(`Corrupt archive after entry ${quoteName(this.#lastEntryName)}: ${reason}`, { cause });
  }

  #truncated(): TruncatedArchive {
    if (this.#lastEntryName === undefined) return new TruncatedArchive(FILE_NOT_SUPPORTED);
    return new TruncatedArchive(`Archive is truncated (last entry read: ${quoteName(this.#lastEntryName)})`);
  }
}

/** Entries of a tar the caller trusts (a runtime's own root filesystem), nothing skipped. */
export async function* readTarEntries(tarChunks: AsyncIterable<Buffer>): AsyncGenerator<ArchiveEntry> {
  const reader = new TarReader(tarChunks, () => undefined);
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
