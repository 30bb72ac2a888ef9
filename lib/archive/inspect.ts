// Import-inspect: the config of an archive, read from its head with ranged reads so that the
// cost is the same for a 10 MiB and a 10 GiB archive. A tar whose first entry is anything but
// our config is a plain root-filesystem tarball, which import takes too: it has no config.
import { parseArchiveConfig } from './config.ts';
import { type ArchiveConfig, bodyOf } from './entry.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from './errors.ts';
import { CONFIG_ENTRY_NAME, MAX_CONFIG_BYTES, hasGzipMagic, isConfigEntry } from './format.ts';
import { gunzipHead } from './gunzip.ts';
import { TruncatedArchive } from './header-sequence.ts';
import { TarReader } from './tar-reader.ts';

/** Reads `start..end`, both inclusive (as an HTTP Range header). */
export type RangeReader = (start: number, end: number) => Promise<Buffer>;

/** The first read; enough for any archive stevedore writes with a config of normal size. */
export const INSPECT_FIRST_READ_BYTES = 64 * 1024;
/** Inspect never reads more than this from the head of an archive, however large it is. */
export const INSPECT_MAX_READ_BYTES = 256 * 1024;
/** Tar bytes the config entry can span: its header blocks (pax ones too) and a config at its cap. */
const TAR_HEAD_BYTES = MAX_CONFIG_BYTES + 64 * 1024;

type FirstEntry =
  | { kind: 'config'; bytes: Buffer }
  | { kind: 'config-too-large'; size: number }
  /** The first entry is something else: a plain rootfs tarball (`docker export`, `tar -C dir .`). */
  | { kind: 'other' }
  /** The head stops before the config entry is complete (`headerSeen`: inside its body). */
  | { kind: 'incomplete'; headerSeen: boolean }
  | { kind: 'not-tar' };

/**
 * The config of one of our archives, or undefined for a plain root-filesystem tarball (as
 * `readArchive` answers). Anything that is not a tar at all is "File not supported".
 */
export async function inspectArchive(readRange: RangeReader, size: number): Promise<ArchiveConfig | undefined> {
  if (size <= 0) throw new ArchiveError(FILE_NOT_SUPPORTED);
  const readableBytes = Math.min(size, INSPECT_MAX_READ_BYTES);
  let head = await readExactly(readRange, 0, Math.min(size, INSPECT_FIRST_READ_BYTES));
  for (;;) {
    const tarHead = hasGzipMagic(head) ? await gunzipHead(head, TAR_HEAD_BYTES) : head.subarray(0, TAR_HEAD_BYTES);
    const first = await readFirstEntry(tarHead);
    switch (first.kind) {
      case 'config':
        return parseArchiveConfig(first.bytes);
      case 'config-too-large':
        throw new ArchiveError(`${CONFIG_ENTRY_NAME} is ${first.size} bytes, more than the ${MAX_CONFIG_BYTES} allowed`);
      case 'other':
        return undefined;
      case 'not-tar':
        throw new ArchiveError(FILE_NOT_SUPPORTED);
      case 'incomplete':
        if (head.length < readableBytes) {
          const rest = await readExactly(readRange, head.length, readableBytes - head.length);
          head = Buffer.concat([head, rest]);
          continue;
        }
        if (head.length < size) {
          throw new ArchiveError(`${CONFIG_ENTRY_NAME} does not end within the first ${INSPECT_MAX_READ_BYTES / 1024} KiB of the archive`);
        }
        // A whole file too short for even one tar header is no archive, rather than a cut one.
        throw new ArchiveError(first.headerSeen ? 'Archive is truncated' : FILE_NOT_SUPPORTED);
    }
  }
}

async function readExactly(readRange: RangeReader, start: number, length: number): Promise<Buffer> {
  const bytes = await readRange(start, start + length - 1);
  if (bytes.length !== length) {
    throw new Error(`Range read of ${length} bytes at ${start} returned ${bytes.length} bytes`);
  }
  return bytes;
}

/**
 * Parses the first entry of a tar head, as import reads it. Nothing past the first entry is
 * looked at, so the head may be cut anywhere after it.
 */
async function readFirstEntry(tarHead: Buffer): Promise<FirstEntry> {
  const reader = new TarReader(bodyOf(tarHead), () => undefined);
  let headerSeen = false;
  try {
    const entry = await reader.next();
    if (entry === undefined) return { kind: 'not-tar' };
    headerSeen = true;
    if (!isConfigEntry(entry.header)) return { kind: 'other' };
    if (entry.header.size > MAX_CONFIG_BYTES) return { kind: 'config-too-large', size: entry.header.size };
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    return { kind: 'config', bytes: Buffer.concat(chunks) };
  } catch (error) {
    return error instanceof TruncatedArchive ? { kind: 'incomplete', headerSeen } : { kind: 'not-tar' };
  } finally {
    reader.close();
  }
}
