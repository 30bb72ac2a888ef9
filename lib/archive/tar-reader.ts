// Reads tar entries from a stream of tar bytes with tar-stream, and says what went wrong in
// the API client's terms: not a tar at all, truncated, or corrupt after some entry.
import tarStream from 'tar-stream';
import type { Header as TarHeader } from 'tar-stream';
import { whenWritable } from './backpressure.ts';
import { EndOfArchiveTracker } from './end-of-archive.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from './errors.ts';
import { quoteName } from './warnings.ts';

type Extract = ReturnType<typeof tarStream.extract>;
type EntryStream = Extract extends AsyncIterable<infer Source> ? Source : never;

/** One entry as tar-stream parsed it, names and all still untrusted. */
export class RawTarEntry {
  #chunks: AsyncIterator<unknown>;
  #ended = false;

  constructor(
    readonly header: TarHeader,
    stream: EntryStream,
    private readonly explain: (error: unknown) => unknown,
  ) {
    this.#chunks = stream[Symbol.asyncIterator]();
  }

  /** The entry's bytes. Read it once; whatever is left unread is drained by `drain`. */
  async *body(): AsyncGenerator<Buffer> {
    for (let chunk = await this.#read(); chunk; chunk = await this.#read()) yield chunk;
  }

  async drain(): Promise<void> {
    while (await this.#read());
  }

  // One shared iterator, never returned early: returning an entry stream's iterator destroys
  // it, and tar-stream then destroys the whole extraction with it.
  async #read(): Promise<Buffer | undefined> {
    if (this.#ended) return undefined;
    try {
      const result = await this.#chunks.next();
      if (result.done) {
        this.#ended = true;
        return undefined;
      }
      return result.value as Buffer;
    } catch (error) {
      throw this.explain(error);
    }
  }
}

export class TarReader {
  #extract: Extract = tarStream.extract();
  #entries: AsyncIterator<EntryStream> = this.#extract[Symbol.asyncIterator]();
  #endOfArchive = new EndOfArchiveTracker();
  #lastEntryName: string | undefined;
  /** Errors of the input itself (storage, gunzip, limits) pass through unchanged. */
  #inputError: unknown;

  /** `observe` sees every chunk before tar-stream does and may throw to abort the read. */
  constructor(tarChunks: AsyncIterable<Buffer>, observe: (chunk: Buffer) => void) {
    void this.#feed(tarChunks, observe);
  }

  /** The next entry, or undefined after the last one of a complete archive. */
  async next(): Promise<RawTarEntry | undefined> {
    let result: IteratorResult<EntryStream>;
    try {
      result = await this.#entries.next();
    } catch (error) {
      throw this.#explain(error);
    }
    if (result.done) {
      if (this.#lastEntryName === undefined) throw new ArchiveError(FILE_NOT_SUPPORTED);
      if (!this.#endOfArchive.sawEndMarker()) throw this.#truncated();
      return undefined;
    }
    const stream = result.value;
    this.#endOfArchive.observeEntry(stream.header, stream.offset);
    this.#lastEntryName = stream.header.name;
    return new RawTarEntry(stream.header, stream, (error) => this.#explain(error));
  }

  /** Stops reading; the input is released. Harmless after the end. */
  close(): void {
    this.#extract.destroy();
  }

  async #feed(tarChunks: AsyncIterable<Buffer>, observe: (chunk: Buffer) => void): Promise<void> {
    const extract = this.#extract;
    try {
      for await (const chunk of tarChunks) {
        observe(chunk);
        this.#endOfArchive.observe(chunk);
        if (!extract.write(chunk)) await whenWritable(extract);
        if (extract.destroying) return; // closed by the reader: leaving the loop releases the input
      }
      extract.end(undefined);
    } catch (error) {
      this.#inputError = error;
      extract.destroy(error as Error);
    }
  }

  #explain(error: unknown): unknown {
    if (error === this.#inputError || error instanceof ArchiveError) return error;
    // Whatever tar-stream rejects before a single entry was read is not a tar to begin with.
    if (this.#lastEntryName === undefined) return new ArchiveError(FILE_NOT_SUPPORTED, { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    if (reason === 'Unexpected end of data') return this.#truncated(error);
    return new ArchiveError(`Corrupt archive after entry ${quoteName(this.#lastEntryName)}: ${reason}`, { cause: error });
  }

  #truncated(cause?: unknown): ArchiveError {
    const last = this.#lastEntryName === undefined ? '' : ` (last entry read: ${quoteName(this.#lastEntryName)})`;
    return new ArchiveError(`Archive is truncated${last}`, { cause });
  }
}
