// Uploads a stream of unknown length to S3 so that the object appears only when the stream
// ended well: small streams in one PutObject, larger ones as a multipart upload completed
// after the last part and aborted on any failure.
//
// Parts are filled into a fixed pool of buffers (parts in flight + one being filled), reused for
// the whole upload: lib-storage's Upload allocates every part afresh, and at archive speeds the
// dead buffers outran the garbage collector and the worker's memory budget.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MAX_PART_BYTES } from './part-size.ts';

/** S3's smallest part (every part but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/**
 * Parts of one size before the size doubles. S3 takes at most 10,000 parts, which need not be
 * of one size: doubling every 1,000 lets a stream of any size S3 stores fit (5 MiB parts reach
 * 5 TiB), whatever the size it was expected to have, while memory stays that of the first
 * parts for the first 4.9 GiB.
 */
export const PARTS_PER_SIZE = 1000;

export interface StreamUpload {
  client: S3Client;
  bucket: string;
  key: string;
  body: AsyncIterable<Uint8Array>;
  /** The first parts' size, at least 5 MiB (partSizeFor() picks one from an expected size); it doubles every PARTS_PER_SIZE parts. */
  partSize: number;
  /** How many parts of one size before it doubles; PARTS_PER_SIZE unless a test says otherwise. */
  partsPerSize?: number;
  /** Asked before each part: the least size it must have, from a size of the stream learnt while it runs. */
  minPartSize?: () => number;
  /** Parts uploaded at once. */
  concurrency?: number;
  contentType?: string;
  signal?: AbortSignal;
  /**
   * Called once the whole body is read, right before the object is made to appear (the
   * single PutObject or CompleteMultipartUpload); throwing aborts the upload instead. It is
   * where a caller re-checks that it may still write (its lease, the target).
   */
  beforeCommit?: () => Promise<void>;
  /**
   * Called once the multipart upload exists, before its first part: lets the caller record
   * the upload id, so that whoever ends a task whose process died can abort the upload.
   */
  onMultipartStarted?: (uploadId: string) => Promise<void>;
}

export async function uploadStream(upload: StreamUpload): Promise<void> {
  const { client, bucket: Bucket, key: Key, partSize, signal } = upload;
  if (partSize < MIN_PART_BYTES) throw new Error(`part size ${partSize} is below S3's minimum of ${MIN_PART_BYTES}`);
  const concurrency = Math.max(1, upload.concurrency ?? 2);
  const free: Buffer[] = [];
  let allocated = 0;
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let uploadId: string | undefined;
  let failure: unknown;

  const partsPerSize = upload.partsPerSize ?? PARTS_PER_SIZE;
  const sizeOfPart = (partNumber: number) => Math.min(MAX_PART_BYTES, Math.max(partSize * 2 ** Math.floor((partNumber - 1) / partsPerSize), upload.minPartSize?.() ?? 0));

  const takeBuffer = async (size: number): Promise<Buffer> => {
    while (free.length === 0 && allocated > concurrency) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const reused = free.pop();
    if (reused?.length === size) return reused;
    // A buffer of the size before the last doubling is let go; its place goes to a bigger one.
    if (reused === undefined) allocated += 1;
    return Buffer.allocUnsafe(size);
  };

  const sendPart = async (buffer: Buffer, length: number, PartNumber: number) => {
    if (uploadId === undefined) {
      uploadId = (await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: upload.contentType }), { abortSignal: signal })).UploadId!;
      await upload.onMultipartStarted?.(uploadId);
    }
    const request = client
      .send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: buffer.subarray(0, length), ContentLength: length }), { abortSignal: signal })
      .then(
        (out) => {
          parts.push({ PartNumber, ETag: out.ETag });
        },
        (err: unknown) => {
          failure ??= err;
        },
      )
      .finally(() => {
        inFlight.delete(request);
        free.push(buffer);
      });
    inFlight.add(request);
  };

  try {
    let partNumber = 1;
    let buffer = await takeBuffer(sizeOfPart(partNumber));
    let filled = 0;
    for await (const chunk of upload.body) {
      let offset = 0;
      while (offset < chunk.length) {
        const copied = Buffer.from(chunk.buffer, chunk.byteOffset + offset, chunk.length - offset).copy(buffer, filled);
        filled += copied;
        offset += copied;
        if (filled === buffer.length) {
          await sendPart(buffer, filled, partNumber++);
          buffer = await takeBuffer(sizeOfPart(partNumber));
          filled = 0;
        }
      }
    }
    if (uploadId === undefined && inFlight.size === 0) {
      // Everything fit in one part: one request, and the object appears whole or not at all.
      await upload.beforeCommit?.();
      await client.send(new PutObjectCommand({ Bucket, Key, Body: buffer.subarray(0, filled), ContentLength: filled, ContentType: upload.contentType }), { abortSignal: signal });
      return;
    }
    if (filled > 0) await sendPart(buffer, filled, partNumber++);
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await upload.beforeCommit?.();
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
  } catch (err) {
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) {
      // Best effort: some S3-compatible stores cannot abort, and the real error matters more.
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
    }
    throw err;
  }
}
