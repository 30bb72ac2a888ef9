// s3rver keeps the parts of each multipart upload in <s3 data dir>/<bucket>/._S3rver_uploads/
// <uploadId>/ (one file per part) until CompleteMultipartUpload; it answers
// AbortMultipartUpload with 405 and ListMultipartUploads with 501, so the parts of an upload
// that never completed stay on disk forever. The embedded stack removes them itself. (In the
// cloud, AbortMultipartUpload works and the bucket's lifecycle rule aborts what is left.)
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export function s3rverUploadsDir(s3DataDir: string, bucket: string): string {
  return join(s3DataDir, bucket, '._S3rver_uploads');
}

export interface RemovedUploads {
  uploads: number;
  bytes: number;
}

/**
 * Removes the part files of uploads nobody will complete: every upload not in `keep` whose
 * directory has not changed for `idleMs` (0: all of them, when no worker of this stack runs).
 */
export async function removeAbandonedUploads(s3DataDir: string, bucket: string, keep: ReadonlySet<string> = new Set(), idleMs = 0): Promise<RemovedUploads> {
  const root = s3rverUploadsDir(s3DataDir, bucket);
  const removed: RemovedUploads = { uploads: 0, bytes: 0 };
  const ids = await readdir(root).catch(() => [] as string[]);
  for (const uploadId of ids) {
    if (keep.has(uploadId)) continue;
    const dir = join(root, uploadId);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory() || Date.now() - info.mtimeMs < idleMs) continue;
    removed.bytes += await directoryBytes(dir);
    await rm(dir, { recursive: true, force: true });
    removed.uploads += 1;
  }
  return removed;
}

/** Bytes of the part files of every upload s3rver keeps for the bucket. */
export async function s3rverUploadBytes(s3DataDir: string, bucket: string): Promise<number> {
  return directoryBytes(s3rverUploadsDir(s3DataDir, bucket));
}

async function directoryBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += await directoryBytes(path);
    else bytes += (await stat(path).catch(() => undefined))?.size ?? 0;
  }
  return bytes;
}
