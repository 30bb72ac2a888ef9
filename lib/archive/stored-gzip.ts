// A gzip member of stored deflate blocks (RFC 1951 section 3.2.4): how stretches that would not
// compress (compressibility.ts) go into the archive, without running them through zlib. The
// member is ordinary gzip (RFC 1952): gzip -d, GNU tar and Node's gunzip read it.
import { crc32 } from 'node:zlib';

/** A stored block holds at most 65,535 bytes (LEN is 16 bits). */
const MAX_STORED_BLOCK = 65_535;

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

