// An import task: the archive's bytes -> gunzip when they are gzip -> the root filesystem's tar,
// every header checked as its chunk passes (lib/archive/unpack.ts) -> the runtime's import. The
// runtime creates the container only after the last byte, so a corrupt or truncated archive
// leaves nothing behind.
import { countBytes } from '../archive/count-bytes.ts';
import { readArchive } from '../archive/unpack.ts';
import { importedConfig, nativeOf, trustedArchiveFields } from '../container/import-config.ts';
import { importSpec, parseImportRequest } from '../container/spec.ts';
import type { WorkerServices } from '../ports.ts';
import { chunksOf } from '../readable-chunks.ts';
import type { TaskRecord } from '../tasks/model.ts';
import type { ProgressReporter } from './progress.ts';
import { taskSharePath } from './task-path.ts';

export async function runImport({ config, storage, runtimes }: WorkerServices, task: TaskRecord, progress: ProgressReporter): Promise<string[]> {
  // Checked when the task was created; checked again, as everything the worker reads is.
  const request = parseImportRequest(task.create_params ?? {});
  const file = await storage.openRead(taskSharePath(task, config.shareFolders), progress.signal);
  const counted = countBytes(chunksOf(file.body), (_, read) => progress.update(read, file.size));

  const archive = await readArchive(counted);
  const fromArchive = trustedArchiveFields(archive.config);
  const fromRuntime: string[] = [];
  const claim = task.owner === undefined ? undefined : { task: task.id, owner: task.owner };
  const options = { native: nativeOf(fromArchive.fields), warn: (message: string) => fromRuntime.push(message), claim };
  await runtimes.importRootfs(importSpec(request), importedConfig(request, fromArchive.fields), archive.tar, options);
  return [...fromArchive.warnings, ...archive.warnings, ...fromRuntime];
}
