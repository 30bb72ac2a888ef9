// The share storage in S3. A share folder is a top-level prefix, a directory is a `name/`
// marker object (a prefix with objects under it counts as a directory too), a file is an
// object, and an atomic write is a multipart upload completed only after its last part.
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { partSizeFor } from '../aws/part-size.ts';
import { uploadStream } from '../aws/stream-upload.ts';
import { quoteBounded } from '../quote.ts';
import { logger } from '../log.ts';
import { nameProblem } from '../names.ts';
import { dirPrefix, fileKey, type SharePath } from './paths.ts';
import { MissingPath } from '../errors.ts';
import type { AtomicWriteOptions, FolderEntry, PendingWrite, ShareStorage } from './share-storage.ts';

const DELETE_BATCH = 1000;
const DELETE_BATCHES_IN_FLIGHT = 4;

/** Long writes keep this many parts in flight: the network stays busy, memory stays at three parts. */
const PARTS_IN_FLIGHT = 2;

/** Requests fail after the API's idle timeout; transfers of archives get their own (lib/aws/s3-client.ts). */
export interface S3ShareClients {
  requests: S3Client;
  transfers: S3Client;
}

export class S3ShareStorage implements ShareStorage {
  private readonly s3: S3Client;
  private readonly transfers: S3Client;

  constructor(
    clients: S3ShareClients,
    private readonly bucket: string,
    /** Smallest part of a multipart write; larger writes get larger parts. */
    private readonly partBytes: number,
  ) {
    this.s3 = clients.requests;
    this.transfers = clients.transfers;
  }

  /** Directories first, then files, each sorted by name. */
  async list(dir: SharePath): Promise<FolderEntry[]> {
    const prefix = dirPrefix(dir);
    const dirs = new Set<string>();
    const files = new Set<string>();
    let found = dir.segments.length === 1; // a configured share folder exists even when empty
    let unaddressable = 0;
    // Keys written by other tools (or by older versions) may hold names the API refuses, e.g.
    // `a//b`, look-alike characters or names over the length limit: such an entry is left out
    // of the listing, which could name nothing a client could send back, rather than break it.
    const keep = (set: Set<string>, name: string) => (nameProblem(name) ? unaddressable++ : set.add(name));
    for await (const page of this.pages({ Prefix: prefix, Delimiter: '/' })) {
      for (const common of page.CommonPrefixes ?? []) {
        found = true;
        keep(dirs, common.Prefix!.slice(prefix.length, -1));
      }
      for (const object of page.Contents ?? []) {
        found = true;
        if (object.Key !== prefix) keep(files, object.Key!.slice(prefix.length));
      }
    }
    if (!found) throw new MissingPath(dir.display);
    if (unaddressable > 0) logger.warn('listing left out names the API cannot address', { prefix: quoteBounded(prefix), count: unaddressable });
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [
      ...[...dirs].sort(byName).map((name) => ({ is_dir: true, name, type: 'd' as const })),
      ...[...files].filter((f) => !dirs.has(f)).sort(byName).map((name) => ({ is_dir: false, name, type: 'f' as const })),
    ];
  }

  async isDirectory(path: SharePath): Promise<boolean> {
    if (path.segments.length === 1) return true;
    const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: dirPrefix(path), MaxKeys: 1 }));
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  }

  async isFile(path: SharePath): Promise<boolean> {
    return (await this.fileSize(path)) !== undefined;
  }

  async fileSize(path: SharePath): Promise<number | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fileKey(path) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Bytes `start`..`end` (inclusive) of a file: inspect reads only an archive's head. */
  async readRange(path: SharePath, start: number, end: number): Promise<Buffer> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: fileKey(path), Range: `bytes=${start}-${end}` }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async openRead(path: SharePath, signal?: AbortSignal): Promise<{ size: number; body: Readable }> {
    try {
      const out = await this.transfers.send(new GetObjectCommand({ Bucket: this.bucket, Key: fileKey(path) }), { abortSignal: signal });
      return { size: out.ContentLength ?? 0, body: out.Body as Readable };
    } catch (err) {
      if (isNotFound(err)) throw new MissingPath(path.display);
      throw err;
    }
  }

  async writeAtomically(path: SharePath, body: AsyncIterable<Uint8Array>, options: AtomicWriteOptions): Promise<void> {
    const key = fileKey(path);
    await uploadStream({
      client: this.transfers,
      bucket: this.bucket,
      key,
      body,
      partSize: partSizeFor(options.sizeHint ?? 0, this.partBytes),
      concurrency: PARTS_IN_FLIGHT,
      contentType: options.contentType,
      signal: options.signal,
      beforeCommit: options.beforeCommit,
      onMultipartStarted: options.onPending && ((uploadId) => options.onPending!({ key, uploadId })),
    });
  }

  /** Some S3-compatible stores (s3rver) cannot abort; the bucket's lifecycle rule is the backstop. */
  async abandonWrite(write: PendingWrite): Promise<void> {
    await this.s3
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: write.key, UploadId: write.uploadId }))
      .catch((err: unknown) => logger.debug('abort of a multipart upload failed', { key: write.key, error: err as Error }));
  }

  async exists(path: SharePath): Promise<boolean> {
    return (await this.isFile(path)) || (await this.isDirectory(path));
  }

  async createDirectory(path: SharePath): Promise<void> {
    await this.putIfAbsent(dirPrefix(path), '');
  }

  async createFile(path: SharePath, content: string): Promise<void> {
    await this.putIfAbsent(fileKey(path), content);
  }

  async deleteFile(path: SharePath): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fileKey(path) }));
  }

  /** Deletes the directory and everything under it, in batches of 1000 keys, a few at a time. */
  async deleteDirectory(path: SharePath): Promise<number> {
    // List everything first: deleting while paging can make a continuation token skip keys.
    const keys: string[] = [];
    for await (const page of this.pages({ Prefix: dirPrefix(path) })) {
      for (const object of page.Contents ?? []) keys.push(object.Key!);
    }
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH) batches.push(keys.slice(i, i + DELETE_BATCH));
    const deleteBatch = async (batch: string[]) => {
      const result = await this.s3.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`S3 refused to delete ${result.Errors.length} objects, first ${result.Errors[0]?.Key}: ${result.Errors[0]?.Message}`);
      }
    };
    for (let i = 0; i < batches.length; i += DELETE_BATCHES_IN_FLIGHT) {
      await Promise.all(batches.slice(i, i + DELETE_BATCHES_IN_FLIGHT).map(deleteBatch));
    }
    return keys.length;
  }

  /** Sum of the sizes of every object under a share folder. */
  async usedBytes(folderName: string): Promise<number> {
    let total = 0;
    for await (const page of this.pages({ Prefix: `${folderName}/` })) {
      for (const object of page.Contents ?? []) total += object.Size ?? 0;
    }
    return total;
  }

  private async putIfAbsent(key: string, body: string): Promise<void> {
    // If-None-Match makes S3 itself refuse a racing writer; emulators ignore it, and the
    // caller has checked existence first, so a lone client never overwrites either way.
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.from(body), IfNoneMatch: '*' }));
  }

  private pages(params: { Prefix: string; Delimiter?: string }) {
    return paginateListObjectsV2({ client: this.s3 }, { Bucket: this.bucket, ...params });
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
