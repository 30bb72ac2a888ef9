// An export task: container root filesystem -> tar (config entry first) -> gzip when asked
// -> multipart upload to the share path. The object appears only when the upload completes;
// on any failure the upload is aborted and a file being replaced stays as it was. What the
// request checked is checked again before the archive is read and right before the object
// appears, with the task's lease last: folders, files and containers change meanwhile.
import { ARCHIVE_SOURCE } from '../archive/format.ts';
import { packArchive } from '../archive/pack.ts';
import { clients } from '../aws/clients.ts';
import { partSizeFor } from '../aws/part-size.ts';
import { uploadStream } from '../aws/stream-upload.ts';
import { config } from '../config.ts';
import { runtime } from '../runtimes/index.ts';
import { parent, parseBodyPath, type SharePath } from '../share/paths.ts';
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
  const target = parseBodyPath(task.path, cfg.shareFolders);
  await requireTargetUnchanged(task, target, 'waited');

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
      beforeCommit: async () => {
        await requireTargetUnchanged(task, target, 'ran');
        if (!(await runtime().get(task.type, task.cid))) throw new TaskFailure(`Container ${task.cid} was removed while the export ran; nothing was written`);
        await progress.confirmOwnership();
      },
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

/** The request's checks on the archive path, again: the path may have changed since. */
async function requireTargetUnchanged(task: TaskRecord, target: SharePath, moment: 'waited' | 'ran'): Promise<void> {
  const storage = shareStorage();
  const folder = parent(target);
  if (!(await storage.isDirectory(folder))) throw new TaskFailure(`The folder ${folder.display} was deleted while the export ${moment}; nothing was written`);
  if (await storage.isDirectory(target)) throw new TaskFailure(`${task.path} became a folder while the export ${moment}; nothing was written`);
  if (!task.force && (await storage.isFile(target))) throw new TaskFailure(`${task.path} appeared while the export ${moment}; it was left as it is`);
}
