// The share storage port in memory, for unit tests of the domain logic: a map of keys with
// the S3 adapter's rules (lib/share/s3-share-storage.ts). A file is a key, a directory is its
// `path/` marker or any key under it, and an atomic write appears only once its whole body was
// read and beforeCommit passed. A write longer than one part becomes pending first, as a
// multipart upload does, and is recorded when abandoned.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { partSizeFor } from '../../lib/aws/part-size.ts';
import { MissingPath } from '../../lib/errors.ts';
import { nameProblem } from '../../lib/names.ts';
import { dirPrefix, fileKey, type SharePath } from '../../lib/share/paths.ts';
import type { AtomicWriteOptions, FolderEntry, PendingWrite, ShareStorage } from '../../lib/share/share-storage.ts';

export class MemoryShareStorage implements ShareStorage {
  readonly objects = new Map<string, Buffer>();
  /** Writes that became pending and have neither appeared nor been abandoned. */
  readonly pendingWrites = new Map<string, PendingWrite>();
  /** Every write abandoned through abandonWrite, in order. */
  readonly abandonedWrites: PendingWrite[] = [];

  /** `partBytes` is the smallest part, as the S3 adapter's; tests make it small to see pending writes. */
  constructor(private readonly partBytes = 5 * 1024 * 1024) {}

  async list(dir: SharePath): Promise<FolderEntry[]> {
    const prefix = dirPrefix(dir);
    const dirs = new Set<string>();
    const files = new Set<string>();
    let found = dir.segments.length === 1; // a configured share folder exists even when empty
    for (const key of this.keysUnder(prefix)) {
      found = true;
      if (key === prefix) continue; // the directory's own marker
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      const [set, name] = slash === -1 ? [files, rest] : [dirs, rest.slice(0, slash)];
      // As in S3: names the API could not address are left out of the listing.
      if (!nameProblem(name)) set.add(name);
    }
    if (!found) throw new MissingPath(dir.display);
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [
      ...[...dirs].sort(byName).map((name) => ({ is_dir: true, name, type: 'd' as const })),
      ...[...files].filter((f) => !dirs.has(f)).sort(byName).map((name) => ({ is_dir: false, name, type: 'f' as const })),
    ];
  }

  async isDirectory(path: SharePath): Promise<boolean> {
    return path.segments.length === 1 || this.keysUnder(dirPrefix(path)).length > 0;
  }

  async isFile(path: SharePath): Promise<boolean> {
    return this.objects.has(fileKey(path));
  }

  async exists(path: SharePath): Promise<boolean> {
    return (await this.isFile(path)) || (await this.isDirectory(path));
  }

  async fileSize(path: SharePath): Promise<number | undefined> {
    return this.objects.get(fileKey(path))?.length;
  }

  async readRange(path: SharePath, start: number, end: number): Promise<Buffer> {
    const object = this.objects.get(fileKey(path));
    if (!object) throw new MissingPath(path.display);
    return Buffer.from(object.subarray(start, end + 1));
  }

  async openRead(path: SharePath, signal?: AbortSignal): Promise<{ size: number; body: Readable }> {
    signal?.throwIfAborted();
    const object = this.objects.get(fileKey(path));
    if (!object) throw new MissingPath(path.display);
    return { size: object.length, body: Readable.from([Buffer.from(object)], { signal }) };
  }

  async writeAtomically(path: SharePath, body: AsyncIterable<Uint8Array>, options: AtomicWriteOptions): Promise<void> {
    const key = fileKey(path);
    const partSize = partSizeFor(typeof options.sizeHint === 'number' ? options.sizeHint : 0, this.partBytes);
    const chunks: Buffer[] = [];
    let length = 0;
    let pending: PendingWrite | undefined;
    try {
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        chunks.push(Buffer.from(chunk));
        length += chunk.length;
        // More than one part: the S3 adapter starts a multipart upload, which must be
        // abandoned by whoever ends the task if this process dies.
        if (!pending && length > partSize) {
          pending = { key, uploadId: randomUUID() };
          this.pendingWrites.set(pending.uploadId, pending);
          await options.onPending?.(pending);
        }
      }
      options.signal?.throwIfAborted();
      await options.beforeCommit?.();
    } catch (err) {
      if (pending) this.pendingWrites.delete(pending.uploadId);
      throw err;
    }
    if (pending) this.pendingWrites.delete(pending.uploadId);
    this.objects.set(key, Buffer.concat(chunks, length));
  }

  async abandonWrite(write: PendingWrite): Promise<void> {
    this.pendingWrites.delete(write.uploadId);
    this.abandonedWrites.push({ ...write });
  }

  async createDirectory(path: SharePath): Promise<void> {
    this.putIfAbsent(dirPrefix(path), Buffer.alloc(0));
  }

  async createFile(path: SharePath, content: string): Promise<void> {
    this.putIfAbsent(fileKey(path), Buffer.from(content));
  }

  async deleteFile(path: SharePath): Promise<void> {
    this.objects.delete(fileKey(path));
  }

  async deleteDirectory(path: SharePath): Promise<number> {
    const keys = this.keysUnder(dirPrefix(path));
    for (const key of keys) this.objects.delete(key);
    return keys.length;
  }

  async usedBytes(folderName: string): Promise<number> {
    return this.keysUnder(`${folderName}/`).reduce((sum, key) => sum + this.objects.get(key)!.length, 0);
  }

  private keysUnder(prefix: string): string[] {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix));
  }

  // What If-None-Match makes S3 do for a racing writer.
  private putIfAbsent(key: string, body: Buffer): void {
    if (this.objects.has(key)) throw new Error(`${key} exists (precondition failed)`);
    this.objects.set(key, body);
  }
}
