// An export task: container root filesystem -> tar (config entry first) -> gzip when asked
// -> multipart upload to the share path. The object appears only when the upload completes;
// on any failure the upload is aborted and a file being replaced stays as it was.
import { ARCHIVE_SOURCE } from '../archive/format.ts';
import { packArchive } from '../archive/pack.ts';
import { clients } from '../aws/clients.ts';
import { partSizeFor } from '../aws/part-size.ts';
import { uploadStream } from '../aws/stream-upload.ts';
import { config } from '../config.ts';
import { runtime } from '../runtimes/index.ts';
import { parseBodyPath } from '../share/paths.ts';
import { shareStorage } from '../share/storage.ts';
import { progressPercent, type TaskRecord } from '../tasks/model.ts';
import type { ProgressReporter } from './progress.ts';
import { TaskFailure } from './failure.ts';

export async function runExport(task: TaskRecord, progress: ProgressReporter): Promise<void> {
  const cfg = config();
  const { s3 } = clients();
  const key = task.path.replace(/^\//, '');
  const container = await runtime().get(task.type, task.cid);
  if (!container) throw new TaskFailure(`Container ${task.cid} no longer exists`);
  if (!task.force && (await shareStorage().isFile(parseBodyPath(task.path, cfg.shareFolders)))) {
    throw new TaskFailure(`${task.path} appeared while the export waited; it was left as it is`);
  }

  const rootfs = await runtime().exportRootfs(container, progress.signal);
  rootfs.onBytesRead((bytes) => progress.update(progressPercent(bytes, rootfs.totalBytes)));
  const archive = packArchive({ ...container.config, source: ARCHIVE_SOURCE }, rootfs.entries, {
    compress: task.compress ?? false,
    gzipLevel: cfg.gzipLevel,
  });
  const stopArchive = () => archive.destroy(progress.signal.reason as Error);
  progress.signal.addEventListener('abort', stopArchive);
  try {
    await uploadStream({
      client: s3,
      bucket: cfg.bucketName,
      key,
      body: archive,
      partSize: partSizeFor(rootfs.totalBytes, cfg.uploadPartBytes),
      // Two parts in flight keep the network busy while memory stays at three parts.
      concurrency: 2,
      contentType: task.compress ? 'application/gzip' : 'application/x-tar',
      signal: progress.signal,
      onMultipartStarted: (uploadId) => progress.recordUpload({ key, uploadId }),
    });
  } catch (err) {
    archive.destroy();
    if (progress.signal.aborted) throw progress.signal.reason;
    throw err;
  } finally {
    progress.signal.removeEventListener('abort', stopArchive);
  }
}
