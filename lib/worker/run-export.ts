// An export task: container root filesystem -> tar (config entry first) -> gzip when asked
// -> multipart upload to the share path. The object appears only when the upload completes;
// on any failure the upload is aborted and a file being replaced stays as it was.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ARCHIVE_SOURCE } from '../archive/format.ts';
import { packArchive } from '../archive/pack.ts';
import { clients } from '../aws/clients.ts';
import { partSizeFor } from '../aws/part-size.ts';
import { config } from '../config.ts';
import { runtime } from '../runtimes/index.ts';
import { progressPercent, type TaskRecord } from '../tasks/model.ts';
import type { ProgressReporter } from './progress.ts';
import { TaskFailure } from './failure.ts';

export async function runExport(task: TaskRecord, progress: ProgressReporter): Promise<void> {
  const cfg = config();
  const { s3 } = clients();
  const key = task.path.replace(/^\//, '');
  const container = await runtime().get(task.type, task.cid);
  if (!container) throw new TaskFailure(`Container ${task.cid} no longer exists`);
  if (!task.force && (await objectExists(key))) {
    throw new TaskFailure(`${task.path} appeared while the export waited; it was left as it is`);
  }

  const rootfs = await runtime().exportRootfs(container, progress.signal);
  rootfs.onBytesRead((bytes) => progress.update(progressPercent(bytes, rootfs.totalBytes)));
  const archive = packArchive({ ...container.config, source: ARCHIVE_SOURCE }, rootfs.entries, {
    compress: task.compress ?? false,
    gzipLevel: cfg.gzipLevel,
  });
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: cfg.bucketName,
      Key: key,
      Body: archive,
      ContentType: task.compress ? 'application/gzip' : 'application/x-tar',
    },
    partSize: partSizeFor(rootfs.totalBytes, cfg.uploadPartBytes),
    // Two parts in flight keep the network busy while memory stays at a few parts.
    queueSize: 2,
    leavePartsOnError: false,
  });
  let archiveError: unknown;
  const cancel = () => void upload.abort().catch(() => undefined);
  progress.signal.addEventListener('abort', cancel);
  archive.on('error', (err) => {
    archiveError = err; // the cause the client should read, not the abort it leads to
    cancel();
  });
  try {
    await upload.done();
  } catch (err) {
    archive.destroy();
    // An emulator that cannot abort multipart uploads must not hide the real cause.
    await upload.abort().catch(() => undefined);
    if (progress.signal.aborted) throw progress.signal.reason;
    throw archiveError ?? err;
  } finally {
    progress.signal.removeEventListener('abort', cancel);
  }

  async function objectExists(objectKey: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: cfg.bucketName, Key: objectKey }));
      return true;
    } catch {
      return false;
    }
  }
}
