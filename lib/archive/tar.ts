// Plain tar streams as sequences of entries, and back: the two directions every archive and
// runtime operation is built from. Both stream with backpressure; no body is ever buffered.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { ArchiveEntry } from './entry.ts';

/** Parses a tar byte stream into entries; each body must be drained before the next entry. */
export async function* readTarEntries(source: AsyncIterable<Buffer> | Readable): AsyncGenerator<ArchiveEntry> {
  const extract = tar.extract();
  const feeding = pipeline(source instanceof Readable ? source : Readable.from(source), extract as unknown as NodeJS.WritableStream);
  feeding.catch(() => undefined); // surfaced through the extract iterator below
  try {
    for await (const entry of extract) {
      yield { header: entry.header, body: entry as unknown as AsyncIterable<Buffer> };
      entry.resume(); // drain whatever the consumer left unread
    }
    await feeding;
  } finally {
    extract.destroy();
  }
}

/** Writes entries as a tar byte stream; an error from the source destroys the output. */
export function writeTarEntries(entries: AsyncIterable<ArchiveEntry>): Readable {
  const pack = tar.pack();
  (async () => {
    for await (const entry of entries) {
      const body = entry.body;
      // tar-stream replaces a mode of 0 by its default; a file-type bit keeps it truthy and
      // is masked out when the header is encoded.
      const header = { ...entry.header, mode: (entry.header.mode & 0o7777) | 0o100000 };
      if (header.type === 'file' || header.type === undefined || header.type === 'contiguous-file') {
        const sink = pack.entry({ ...header, type: 'file' });
        await pipeline(Readable.from(body), sink as unknown as NodeJS.WritableStream);
      } else {
        for await (const chunk of body) void chunk; // non-file bodies are empty; drain anyway
        await new Promise<void>((done, fail) => pack.entry(header, (err) => (err ? fail(err) : done())));
      }
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack);
}
