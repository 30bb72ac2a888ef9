// Bounds on what an untrusted archive may make us read. Crossing one aborts the import: a
// file that large is either an attack (a gzip bomb) or nothing a container should be made of.
import type { TarHeader } from './entry.ts';
import { ArchiveError } from './errors.ts';
import { humanSize } from '../size.ts';

export interface UnpackLimits {
  /** Largest size of a single entry. */
  maxEntryBytes: number;
  /** Most tar bytes (after gunzip) the archive may expand to. */
  maxTotalBytes: number;
  /** Most tar bytes per compressed byte, checked once EXPANSION_RATIO_GRACE_BYTES were expanded. */
  maxExpansionRatio: number;
  maxEntries: number;
  /** Longest entry name or link target, in UTF-8 bytes. */
  maxNameBytes: number;
}

const GIB = 1024 ** 3;

export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxEntryBytes: 64 * GIB,
  maxTotalBytes: 64 * GIB,
  maxExpansionRatio: 200,
  maxEntries: 1_000_000,
  maxNameBytes: 4096,
});

/** Small archives of empty files compress far beyond any sane ratio, so the ratio waits. */
export const EXPANSION_RATIO_GRACE_BYTES = 64 * 1024 ** 2;

export function resolveLimits(overrides: Partial<UnpackLimits> = {}): UnpackLimits {
  const limits = { ...DEFAULT_UNPACK_LIMITS };
  for (const key of Object.keys(DEFAULT_UNPACK_LIMITS) as (keyof UnpackLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!(value > 0)) throw new RangeError(`Unpack limit ${key} must be a positive number, got ${value}`);
    limits[key] = value;
  }
  return limits;
}

/** Counts what the archive costs as it is read and throws as soon as a limit is crossed. */
export class UnpackBudget {
  #compressedBytes = 0;
  #expandedBytes = 0;
  #entries = 0;

  constructor(private readonly limits: UnpackLimits) {}

  addCompressed(bytes: number): void {
    this.#compressedBytes += bytes;
  }

  /** Bytes of tar, after gunzip if the archive is compressed. */
  addExpanded(bytes: number, compressed: boolean): void {
    this.#expandedBytes += bytes;
    const { maxTotalBytes, maxExpansionRatio } = this.limits;
    if (this.#expandedBytes > maxTotalBytes) {
      throw new ArchiveError(`Archive expands to more than ${humanSize(maxTotalBytes)}, the most allowed`);
    }
    if (
      compressed &&
      this.#expandedBytes > EXPANSION_RATIO_GRACE_BYTES &&
      this.#expandedBytes > this.#compressedBytes * maxExpansionRatio
    ) {
      throw new ArchiveError(
        `Archive expands more than ${maxExpansionRatio} times its compressed size (${humanSize(this.#compressedBytes)} ` +
          `became ${humanSize(this.#expandedBytes)}); refusing a likely gzip bomb`,
      );
    }
  }

  addEntry(header: TarHeader): void {
    this.#entries += 1;
    const { maxEntries, maxEntryBytes, maxNameBytes } = this.limits;
    if (this.#entries > maxEntries) {
      throw new ArchiveError(`Archive has more than ${maxEntries} entries, the most allowed`);
    }
    for (const name of [header.name, header.linkname ?? '']) {
      if (Buffer.byteLength(name) > maxNameBytes) {
        throw new ArchiveError(`Archive has an entry name longer than ${maxNameBytes} bytes: "${name.slice(0, 100)}..."`);
      }
    }
    if (header.size > maxEntryBytes) {
      throw new ArchiveError(
        `Entry "${header.name}" is ${humanSize(header.size)}, more than the ${humanSize(maxEntryBytes)} allowed`,
      );
    }
  }
}
