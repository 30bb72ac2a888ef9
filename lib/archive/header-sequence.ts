// What a tar reader knows between two entries, whichever way it reads the bytes (entry by entry
// in tar-reader.ts, chunk by chunk in tar-splice.ts): the pax and GNU long-name headers that
// describe the next entry, the global pax records, the last entry read, and the errors that
// name it in the API client's terms.
import type { TarHeader } from './entry.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from './errors.ts';
import { type DecodedBlock, decodeHeaderBlock, decodeLongPath, decodePaxRecords, type MetaHeaderType } from './tar-header.ts';
import { quoteName } from './warnings.ts';

/** A tar that stops before its end: "File not supported" when not even one entry was read. */
export class TruncatedArchive extends ArchiveError {}

/** A pax header or GNU long name is read whole, so it is bounded (as tar-stream bounds it). */
const MAX_META_HEADER_BYTES = 4 * 1024 * 1024;

export class HeaderSequence {
  #lastEntryName: string | undefined;
  /** Records of a global pax header hold for every entry after it. */
  #globalPax: Record<string, string> | undefined;
  #pax: Record<string, string> | undefined;
  #longPath: string | undefined;
  #longLinkPath: string | undefined;

  /** Whether an entry was read: a tar may end only after one. */
  get started(): boolean {
    return this.#lastEntryName !== undefined;
  }

  /** One header block; a meta header's size is checked against the bound before its body is read. */
  decode(block: Uint8Array): DecodedBlock {
    let decoded: DecodedBlock;
    try {
      decoded = decodeHeaderBlock(block);
    } catch (error) {
      throw this.corrupt((error as Error).message, error);
    }
    if (decoded.kind === 'meta' && decoded.size > MAX_META_HEADER_BYTES) throw this.corrupt(`a ${decoded.type} of ${decoded.size} bytes`);
    return decoded;
  }

  /** The body of a meta header, which applies to the next entry (or, global, to all after it). */
  takeMeta(type: MetaHeaderType, body: Uint8Array): void {
    if (type === 'pax-global-header') this.#globalPax = decodePaxRecords(body);
    else if (type === 'pax-header') this.#pax = { ...this.#globalPax, ...decodePaxRecords(body) };
    else if (type === 'gnu-long-path') this.#longPath = decodeLongPath(body);
    else this.#longLinkPath = decodeLongPath(body);
  }

  /** The entry's header with its meta headers applied; the next entry starts afresh. */
  entry(header: TarHeader): TarHeader {
    if (this.#longPath !== undefined) header.name = this.#longPath;
    if (this.#longLinkPath !== undefined) header.linkname = this.#longLinkPath;
    const pax = this.#pax;
    if (pax) {
      if (pax.path) header.name = pax.path;
      if (pax.linkpath) header.linkname = pax.linkpath;
      if (pax.size) header.size = Number.parseInt(pax.size, 10);
      header.pax = pax;
    }
    this.#pax = this.#longPath = this.#longLinkPath = undefined;
    if (!(header.size >= 0)) throw this.corrupt('an entry without a valid size');
    this.#lastEntryName = header.name;
    return header;
  }

  /** The end was reached: an archive of no entry at all is not one stevedore reads. */
  requireStarted(): void {
    if (!this.started) throw new ArchiveError(FILE_NOT_SUPPORTED);
  }

  corrupt(reason: string, cause?: unknown): ArchiveError {
    // Whatever is wrong before a single entry was read is not a tar to begin with.
    if (this.#lastEntryName === undefined) return new ArchiveError(FILE_NOT_SUPPORTED, { cause });
    return new ArchiveError(`Corrupt archive after entry ${quoteName(this.#lastEntryName)}: ${reason}`, { cause });
  }

  truncated(): TruncatedArchive {
    if (this.#lastEntryName === undefined) return new TruncatedArchive(FILE_NOT_SUPPORTED);
    return new TruncatedArchive(`Archive is truncated (last entry read: ${quoteName(this.#lastEntryName)})`);
  }
}

/** Bytes of data after an entry's header: like tar-stream and GNU tar, a directory has none whatever its size says. */
export function dataBytesOf(header: TarHeader): number {
  return header.type === 'directory' ? 0 : header.size;
}
