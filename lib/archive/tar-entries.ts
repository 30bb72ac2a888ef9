// Entries of a tar the caller trusts (a runtime's own root filesystem: an engine's export, the
// built-in runtime's stored tar), nothing skipped. Only header blocks are decoded; a body is
// handed on as views of the chunks the tar arrived in, so an export moves the bytes of its files
// without copying or re-streaming them entry by entry. Untrusted archives (an import's) are read
// by TarReader instead, whose limits and messages are made for them.
import type { Header as TarHeader } from 'tar-stream';
import type { ArchiveEntry } from './entry.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { ChunkQueue } from './chunk-queue.ts';
import { decodeHeaderBlock, decodeLongPath, decodePaxRecords, type MetaHeaderType, paddingAfter } from './tar-header.ts';

/** A pax header or GNU long name is read whole: a bound against a stream that is not a tar. */
const MAX_META_HEADER_BYTES = 1024 * 1024;

/**
 * The tar's entries in order. A body must be read (or left) before the next entry is asked
 * for; its chunks stay valid after that. Throws when the tar is corrupt or ends before its
 * end-of-archive blocks: a tar cut at an entry's boundary would otherwise pass for a smaller one.
 */
export async function* readTarEntries(tarChunks: AsyncIterable<Buffer>): AsyncGenerator<ArchiveEntry> {
  const input = new ChunkQueue(tarChunks);
  const globals: GlobalRecords = { pax: undefined };
  let last: string | undefined;
  const truncated = () => new Error(`The tar is truncated${last === undefined ? '' : ` (last entry read: ${JSON.stringify(last)})`}`);
  try {
    for (;;) {
      const header = await readEntryHeader(input, globals, truncated);
      if (header === undefined) break;
      last = header.name;
      // Like tar-stream (and GNU tar), a directory has no data whatever its size field says.
      const dataBytes = header.type === 'directory' ? 0 : header.size;
      let unread = dataBytes;
      const carriesBody = header.type === 'file' || header.type === 'contiguous-file';
      async function* body(): AsyncGenerator<Buffer> {
        while (unread > 0) {
          const chunk = await input.readUpTo(unread);
          if (chunk === undefined) throw truncated();
          unread -= chunk.length;
          yield chunk;
        }
      }
      yield { header, body: carriesBody ? body() : noBytes() };
      if (!(await input.skip(unread + paddingAfter(dataBytes)))) throw truncated();
    }
    // The end-of-archive blocks and whatever zeros pad the tar's last record.
    await input.drain();
  } finally {
    await input.close();
  }
}

/** A global pax header's records hold for every entry after it. */
interface GlobalRecords {
  pax: Record<string, string> | undefined;
}

/** The next entry's header with its pax and GNU long-name headers applied; undefined at the end. */
async function readEntryHeader(input: ChunkQueue, globals: GlobalRecords, truncated: () => Error): Promise<TarHeader | undefined> {
  let pax: Record<string, string> | undefined;
  let longPath: string | undefined;
  let longLinkPath: string | undefined;
  for (;;) {
    const block = await input.read(TAR_BLOCK_BYTES);
    if (block === undefined) throw truncated();
    const decoded = decodeHeaderBlock(block);
    if (decoded.kind === 'end') return undefined;
    if (decoded.kind === 'meta') {
      const body = await readMetaBody(input, decoded.type, decoded.size, truncated);
      if (decoded.type === 'pax-global-header') globals.pax = decodePaxRecords(body);
      else if (decoded.type === 'pax-header') pax = { ...globals.pax, ...decodePaxRecords(body) };
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
    return header;
  }
}

async function readMetaBody(input: ChunkQueue, type: MetaHeaderType, size: number, truncated: () => Error): Promise<Buffer> {
  if (size > MAX_META_HEADER_BYTES) throw new Error(`Invalid tar: a ${type} of ${size} bytes`);
  const body = await input.read(size);
  if (body === undefined || !(await input.skip(paddingAfter(size)))) throw truncated();
  return body;
}

async function* noBytes(): AsyncGenerator<Buffer> {}
