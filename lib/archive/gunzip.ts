// Gunzip for archives, with zlib's failures turned into messages for the API client.
import { Readable, pipeline } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';
import { chunksOf } from '../readable-chunks.ts';
import { ArchiveError } from './errors.ts';

/**
 * zlib's output in 64 KiB chunks rather than its default 16 KiB: each chunk is a round trip to
 * the thread pool and a buffer of its own. The benchmark's 278 MiB tar took 0.80-0.89 CPU s to
 * gunzip instead of 1.31-1.35 (256 KiB saved 0.1 s more, in buffers four times the size).
 */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

/** Decompresses a whole gzip stream; a truncated or corrupt one throws an ArchiveError. */
export async function* gunzipChunks(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // Errors reach us through the iteration of `gunzip`, which pipeline destroys with them.
  pipeline(Readable.from(compressed), gunzip, () => undefined);
  try {
    yield* chunksOf(gunzip);
  } catch (error) {
    throw isZlibError(error) ? gzipError(error) : error;
  }
}

/**
 * Decompresses the head of a gzip stream, up to `maxOutputBytes`. The input may stop anywhere
 * (it is a prefix of the file), so a missing end is fine; corruption in what is there is not.
 */
export function gunzipHead(compressedHead: Buffer, maxOutputBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve(Buffer.concat(chunks, length).subarray(0, maxOutputBytes));
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= maxOutputBytes) finish();
    });
    gunzip.on('end', finish);
    gunzip.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(isZlibError(error) ? gzipError(error) : error);
    });
    gunzip.end(compressedHead);
  });
}

function isZlibError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function gzipError(error: NodeJS.ErrnoException): ArchiveError {
  // zlib reports a stream that stops early as a buffer error; clients know it as truncation.
  if (error.code === 'Z_BUF_ERROR') {
    return new ArchiveError('Archive is truncated: the gzip stream ends early', { cause: error });
  }
  return new ArchiveError(`Corrupt gzip stream: ${error.message}`, { cause: error });
}
