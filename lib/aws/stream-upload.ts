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

/** S3's smallest part (every part but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface StreamUpload {
  client: S3Client;
  bucket: string;
  key: string;
  body: AsyncIterable<Uint8Array>;
  /** At least 5 MiB; see partSizeFor() for sizes that keep under the 10,000-part limit. */
  partSize: number;
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

  const takeBuffer = async (): Promise<Buffer> => {
    while (free.length === 0 && allocated > concurrency) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    if (free.length > 0) return free.pop()!;
    allocated += 1;
    return Buffer.allocUnsafe(partSize);
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
    let buffer = await takeBuffer();
    let filled = 0;
    let partNumber = 1;
    for await (const chunk of upload.body) {
      let offset = 0;
      while (offset < chunk.length) {
        const copied = Buffer.from(chunk.buffer, chunk.byteOffset + offset, chunk.length - offset).copy(buffer, filled);
        filled += copied;
        offset += copied;
        if (filled === partSize) {
          await sendPart(buffer, filled, partNumber++);
          buffer = await takeBuffer();
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
