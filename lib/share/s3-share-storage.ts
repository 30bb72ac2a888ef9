// The share storage in S3. A share folder is a top-level prefix, a directory is a `name/`
// marker object (a prefix with objects under it counts as a directory too), a file is an
// object, and an atomic write is a multipart upload completed only after its last part.
import type { Readable } from 'node:stream';
import { partSizeFor } from '../aws/part-size.ts';
import type { S3RequestClient } from '../aws/s3-requests.ts';
import type { ObjectTransfers } from '../aws/s3-transfers.ts';
import { quoteBounded } from '../quote.ts';
import { logger } from '../log.ts';
import { nameProblem } from '../names.ts';
import { dirPrefix, fileKey, type SharePath } from './paths.ts';
import { MissingPath } from '../errors.ts';
import type { AtomicWriteOptions, FolderEntry, PendingWrite, ShareStorage } from './share-storage.ts';

const DELETE_BATCH = 1000;
const DELETE_BATCHES_IN_FLIGHT = 4;

/** Long writes keep this many parts in flight: the network stays busy, memory stays at three parts. */
export const PARTS_IN_FLIGHT = 2;

/**
 * Requests (stevedore's own client, failing after the API's idle timeout) and the transfers of
 * archives (the SDK's, with their own idle timeout), which only the worker has: an API function
 * reads and writes no archive, and its bundle carries no SDK S3 client.
 */
export interface S3ShareClients {
  requests: S3RequestClient;
  transfers?: ObjectTransfers;
}

export class S3ShareStorage implements ShareStorage {
  private readonly s3: S3RequestClient;
  private readonly clients: S3ShareClients;

  constructor(
    clients: S3ShareClients,
    private readonly bucket: string,
    /** Smallest part of a multipart write; larger writes get larger parts. */
    private readonly partBytes: number,
  ) {
    this.s3 = clients.requests;
    this.clients = clients;
  }

  private get transfers(): ObjectTransfers {
    if (!this.clients.transfers) throw new Error('this process has no archive transfers: only the worker reads and writes whole archives');
    return this.clients.transfers;
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
    for await (const page of this.pages({ prefix, delimiter: '/' })) {
      for (const common of page.commonPrefixes) {
        found = true;
        keep(dirs, common.slice(prefix.length, -1));
      }
      for (const object of page.contents) {
        found = true;
        if (object.key !== prefix) keep(files, object.key.slice(prefix.length));
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
    const page = await this.s3.listObjectsV2(this.bucket, { prefix: dirPrefix(path), maxKeys: 1 });
    return page.keyCount > 0;
  }

  async isFile(path: SharePath): Promise<boolean> {
    return (await this.fileSize(path)) !== undefined;
  }

  async fileSize(path: SharePath): Promise<number | undefined> {
    try {
      return (await this.s3.headObject(this.bucket, fileKey(path))).contentLength;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Bytes `start`..`end` (inclusive) of a file: inspect reads only an archive's head. */
  async readRange(path: SharePath, start: number, end: number): Promise<Buffer> {
    return this.s3.getObject(this.bucket, fileKey(path), `bytes=${start}-${end}`);
  }

  async openRead(path: SharePath, signal?: AbortSignal): Promise<{ size: number; body: Readable }> {
    try {
      return await this.transfers.read(this.bucket, fileKey(path), signal);
    } catch (err) {
      if (isNotFound(err)) throw new MissingPath(path.display);
      throw err;
    }
  }

  async writeAtomically(path: SharePath, body: AsyncIterable<Uint8Array>, options: AtomicWriteOptions): Promise<void> {
    const key = fileKey(path);
    const hint = options.sizeHint;
    let expectedBytes = typeof hint === 'number' ? hint : 0;
    if (hint !== undefined && typeof hint !== 'number') void hint.then((bytes) => (expectedBytes = bytes ?? 0), () => undefined);
    await this.transfers.upload({
      bucket: this.bucket,
      key,
      body,
      partSize: partSizeFor(expectedBytes, this.partBytes),
      minPartSize: () => partSizeFor(expectedBytes, this.partBytes),
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
      .abortMultipartUpload(this.bucket, write.key, write.uploadId)
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
    await this.s3.deleteObject(this.bucket, fileKey(path));
  }

  /** Deletes the directory and everything under it, in batches of 1000 keys, a few at a time. */
  async deleteDirectory(path: SharePath): Promise<number> {
    // List everything first: deleting while paging can make a continuation token skip keys.
    const keys: string[] = [];
    for await (const page of this.pages({ prefix: dirPrefix(path) })) {
      for (const object of page.contents) keys.push(object.key);
    }
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH) batches.push(keys.slice(i, i + DELETE_BATCH));
    const deleteBatch = async (batch: string[]) => {
      const errors = await this.s3.deleteObjects(this.bucket, batch);
      if (errors.length > 0) throw new Error(`S3 refused to delete ${errors.length} objects, first ${errors[0]!.key}: ${errors[0]!.message}`);
    };
    for (let i = 0; i < batches.length; i += DELETE_BATCHES_IN_FLIGHT) {
      await Promise.all(batches.slice(i, i + DELETE_BATCHES_IN_FLIGHT).map(deleteBatch));
    }
    return keys.length;
  }

  /** Sum of the sizes of every object under a share folder. */
  async usedBytes(folderName: string): Promise<number> {
    let total = 0;
    for await (const page of this.pages({ prefix: `${folderName}/` })) {
      for (const object of page.contents) total += object.size;
    }
    return total;
  }

  private async putIfAbsent(key: string, body: string): Promise<void> {
    // If-None-Match makes S3 itself refuse a racing writer; emulators ignore it, and the
    // caller has checked existence first, so a lone client never overwrites either way.
    await this.s3.putObject(this.bucket, key, Buffer.from(body), { ifNoneMatch: '*' });
  }

  private pages(params: { prefix: string; delimiter?: string }) {
    return this.s3.listPages(this.bucket, params);
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
