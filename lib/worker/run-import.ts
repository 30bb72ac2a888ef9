// An import task: S3 object -> gunzip when the bytes are gzip -> tar entries, checked one by
// one (lib/archive/unpack.ts) -> the runtime's import. The runtime registers the container
// only after the last entry, so a corrupt or truncated archive leaves nothing behind.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readArchive } from '../archive/unpack.ts';
import { clients } from '../aws/clients.ts';
import { config } from '../config.ts';
import { importedConfig, trustedArchiveFields } from '../container/import-config.ts';
import { countBytes } from '../count-bytes.ts';
import { runtime } from '../runtimes/index.ts';
import { importSpec, parseImportRequest } from '../runtimes/spec.ts';
import { progressPercent, type TaskRecord } from '../tasks/model.ts';
import { TaskFailure } from './failure.ts';
import type { ProgressReporter } from './progress.ts';

export async function runImport(task: TaskRecord, progress: ProgressReporter): Promise<string[]> {
  const cfg = config();
  // Checked when the task was created; checked again, as everything the worker reads is.
  const request = parseImportRequest(task.create_params ?? {});
  const object = await clients().s3.send(new GetObjectCommand({ Bucket: cfg.bucketName, Key: task.path.replace(/^\//, '') }), {
    abortSignal: progress.signal,
  }).catch((err: unknown) => {
    throw new TaskFailure(`Cannot read ${task.path}: ${(err as Error).name === 'NoSuchKey' ? 'the file no longer exists' : (err as Error).message}`);
  });
  const total = object.ContentLength ?? 0;
  const counted = countBytes(object.Body as NodeJS.ReadableStream, (read) => progress.update(progressPercent(read, total)));

  const archive = await readArchive(counted);
  const fromArchive = trustedArchiveFields(archive.config);
  await runtime().importRootfs(importSpec(request), importedConfig(request, fromArchive.fields), archive.entries);
  return [...fromArchive.warnings, ...archive.warnings];
}
