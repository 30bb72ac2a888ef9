// What does not compress is not compressed: already-compressed files in a container (packages,
// jars, images, compressed binaries) are found by the byte entropy of a sample of each stretch,
// and written as a gzip member of stored deflate blocks (RFC 1951 section 3.2.4) instead of
// being run through zlib, which would spend its full effort to come out no smaller. The member
// is ordinary gzip (RFC 1952): gzip -d, GNU tar and Node's gunzip read it.
import { crc32 } from 'node:zlib';

/** Bytes judged at once: the granularity at which compressible and incompressible data are told apart. */
export const STRETCH_BYTES = 64 * 1024;
/** Every SAMPLE_STEP-th byte is counted: 8,192 samples of a stretch are plenty for its entropy. */
const SAMPLE_STEP = 8;
/**
 * Bits per byte above which a stretch is taken as incompressible. Uniform random bytes measure
 * about 7.98 from 8,192 samples; text measures 4-5, executables 5-6.5. Deflate gains a few
 * percent at most above 7.9, while a stored block costs only 5 bytes per 64 KiB.
 */
const INCOMPRESSIBLE_BITS_PER_BYTE = 7.9;
/** A stored block holds at most 65,535 bytes (LEN is 16 bits). */
const MAX_STORED_BLOCK = 65_535;

const LOG2 = Array.from({ length: 8193 }, (_, n) => (n === 0 ? 0 : Math.log2(n)));
const counts = new Uint32Array(256);

/** Order-0 entropy of a sample of `bytes`, in bits per byte: the cheap test of whether deflate could gain. */
export function looksIncompressible(bytes: Uint8Array): boolean {
  if (bytes.length < STRETCH_BYTES / 2) return false; // too few samples to tell; zlib decides
  counts.fill(0);
  let samples = 0;
  for (let i = 0; i < bytes.length; i += SAMPLE_STEP, samples++) counts[bytes[i]!]!++;
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c > 0) sum += c * (samples <= 8192 ? LOG2[c]! : Math.log2(c));
  }
  const bits = Math.log2(samples) - sum / samples;
  return bits > INCOMPRESSIBLE_BITS_PER_BYTE;
}

/**
 * A gzip member holding `data` in stored blocks (18 bytes of gzip framing plus 5 per 64 KiB), as
 * pieces: the framing, around views of `data` itself, which is not copied. The member's bytes
 * are the pieces in order; they are valid as long as `data` is.
 */
export function storedGzipMember(data: Uint8Array): Uint8Array[] {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_STORED_BLOCK));
  const framing = Buffer.allocUnsafe(10 + blocks * 5 + 8);
  // ID1 ID2, CM=8 (deflate), no flags, MTIME 0, XFL 0, OS 255 (unknown): as zlib writes it.
  framing.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0);
  const pieces: Uint8Array[] = [];
  let at = 10;
  let framed = 0; // where the framing not yet in a piece starts
  for (let offset = 0, block = 0; block < blocks; block++) {
    const length = Math.min(MAX_STORED_BLOCK, data.length - offset);
    framing[at] = block === blocks - 1 ? 1 : 0; // BFINAL on the last, BTYPE 00 (stored), padded to the byte
    framing.writeUInt16LE(length, at + 1);
    framing.writeUInt16LE(~length & 0xffff, at + 3);
    at += 5;
    pieces.push(framing.subarray(framed, at));
    framed = at;
    if (length > 0) pieces.push(data.subarray(offset, offset + length));
    offset += length;
  }
  framing.writeUInt32LE(crc32(data) >>> 0, at);
  framing.writeUInt32LE(data.length >>> 0, at + 4); // ISIZE: the length modulo 2^32
  pieces.push(framing.subarray(framed, at + 8));
  return pieces;
}

/** `block` cut into runs of stretches that are all compressible or all not, in order. */
export function compressibilityRuns(block: Buffer): { bytes: Buffer; incompressible: boolean }[] {
  const runs: { bytes: Buffer; incompressible: boolean }[] = [];
  let start = 0;
  let current: boolean | undefined;
  for (let at = 0; at < block.length; at += STRETCH_BYTES) {
    const incompressible = looksIncompressible(block.subarray(at, at + STRETCH_BYTES));
    if (current !== undefined && incompressible !== current) {
      runs.push({ bytes: block.subarray(start, at), incompressible: current });
      start = at;
    }
    current = incompressible;
  }
  runs.push({ bytes: block.subarray(start), incompressible: current ?? false });
  return runs;
}
