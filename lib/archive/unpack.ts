// Import's view of an archive: the config (when it is one of ours) and the root filesystem,
// normalized and safe, from any tar or tgz, ours or a plain rootfs (`docker export`). After the
// config, the archive is spliced (tar-splice.ts): each header passes the entry policy and the
// limits, and what the policy admits goes on as a tar of its own, bodies untouched. That tar is
// what a runtime storing a tar takes (the Docker engine, the built-in runtime); its entries,
// read back, are what one writing files takes (LXC).
import type { Readable } from 'node:stream';
import { parseArchiveConfig } from './config.ts';
import { countBytes } from './count-bytes.ts';
import type { ArchiveConfig, ArchiveEntry, TarHeader } from './entry.ts';
import { type ArchiveLayout, EntryPolicy } from './entry-policy.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from './errors.ts';
import { CONFIG_ENTRY_NAME, MAX_CONFIG_BYTES, hasGzipMagic, isConfigEntry } from './format.ts';
import { gunzipChunks } from './gunzip.ts';
import { UnpackBudget, type UnpackLimits, resolveLimits } from './limits.ts';
import { type RawTarEntry, readTarEntries, TarReader } from './tar-reader.ts';
import { splicedTar } from './tar-splice.ts';
import { WarningLog } from './warnings.ts';

export interface UnpackedArchive {
  /** Present when the archive is one of ours; undefined for a plain root-filesystem tarball. */
  config: ArchiveConfig | undefined;
  /**
   * The root filesystem as a tar, the entries that the policy admitted in their normalized form:
   * names relative to the container's root, without leading `./` or `/` and without a trailing
   * slash, directories included (`usr/lib`); hardlink targets in the same form. Only files have
   * a body. Iterating throws an ArchiveError when the archive turns out corrupt, truncated or
   * over a limit, after the bytes of every entry before the fault. Read either this or
   * `entries`, to the end, or call `return()` (as `break` does) to release the source early.
   */
  tar: AsyncGenerator<Buffer>;
  /** The same root filesystem entry by entry. */
  entries: AsyncGenerator<ArchiveEntry>;
  /** Entries left out and why; grows while `entries` is iterated. */
  warnings: string[];
}

export async function readArchive(
  source: AsyncIterable<Buffer> | Readable,
  limits?: Partial<UnpackLimits>,
): Promise<UnpackedArchive> {
  const budget = new UnpackBudget(resolveLimits(limits));
  const input = await peek(countBytes(source as AsyncIterable<Buffer>, (bytes) => budget.addCompressed(bytes)), 2);
  if (input.head.length === 0) throw new ArchiveError(FILE_NOT_SUPPORTED);
  const compressed = hasGzipMagic(input.head);
  const reader = new TarReader(compressed ? gunzipChunks(input.chunks) : input.chunks, (chunk) =>
    budget.addExpanded(chunk.length, compressed),
  );

  const warnings = new WarningLog();
  try {
    const first = await reader.next();
    if (first === undefined) throw new ArchiveError(FILE_NOT_SUPPORTED);
    budget.addEntry(first.header);
    const config = isConfigEntry(first.header) ? await readConfig(first) : undefined;
    if (config) await first.drain();
    const layout: ArchiveLayout = config ? 'stevedore' : 'plain';
    const policy = new EntryPolicy(layout, warnings);
    const admit = (header: TarHeader) => {
      budget.addEntry(header);
      return policy.admit(header);
    };
    // A plain rootfs's first entry was read as the reader looked for config.json: its data comes first.
    const current = config ? undefined : { header: first.header, rewritten: policy.admit(first.header) };
    const tar = releasingOnReturn(splicedTar(reader.unread(), admit, { headers: reader.headers, current }), reader);
    return { config, tar, entries: releasingOnReturn(readTarEntries(tar, true), reader), warnings: warnings.messages };
  } catch (error) {
    reader.close();
    throw error;
  }
}

async function readConfig(entry: RawTarEntry): Promise<ArchiveConfig> {
  if (entry.header.size > MAX_CONFIG_BYTES) {
    throw new ArchiveError(`${CONFIG_ENTRY_NAME} is ${entry.header.size} bytes, more than the ${MAX_CONFIG_BYTES} allowed`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body()) chunks.push(chunk);
  return parseArchiveConfig(Buffer.concat(chunks));
}

/** Reads at least `bytes` bytes ahead (fewer at the end), and gives them back in `chunks`. */
async function peek(source: AsyncIterable<Buffer>, bytes: number): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const peeked: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes && !ended) {
    const result = await iterator.next();
    if (result.done) ended = true;
    else {
      peeked.push(result.value);
      length += result.value.length;
    }
  }
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      yield* peeked;
      if (!ended) yield* rest;
    } finally {
      // A reader that stops within the peeked chunks never reached `rest`, which would stay open.
      await iterator.return?.();
    }
  }
  return { head: Buffer.concat(peeked), chunks: chunks() };
}

// A generator that was never started skips its `finally` when returned, which would leave the
// source open: an import that gives up before iterating must still release it.
function releasingOnReturn<T>(generator: AsyncGenerator<T>, reader: TarReader): AsyncGenerator<T> {
  const returnGenerator = generator.return.bind(generator);
  generator.return = (value) => {
    reader.close();
    return returnGenerator(value);
  };
  return generator;
}
