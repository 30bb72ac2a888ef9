// Multipart part size for an upload of a known order of size. S3 allows 10,000 parts: the
// part size grows with the expected size (keeping a margin for archives that come out larger
// than their source, like incompressible data in a .tgz), and never falls below the
// configured minimum, which bounds memory for the common case.
const MAX_PARTS = 10_000;
const SAFETY_PARTS = 1_000;
const GROWTH_MARGIN = 1.2;
const MIB = 1024 * 1024;
/** S3's own limit per part. */
export const MAX_PART_BYTES = 5 * 1024 * MIB;

export function partSizeFor(expectedBytes: number, minimumBytes: number): number {
  const needed = Math.ceil((expectedBytes * GROWTH_MARGIN) / (MAX_PARTS - SAFETY_PARTS));
  const rounded = Math.ceil(needed / MIB) * MIB;
  return Math.min(MAX_PART_BYTES, Math.max(minimumBytes, rounded));
}
