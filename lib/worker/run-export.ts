// An export task: container root filesystem -> tar (config entry first) -> gzip when asked
// -> an atomic write to the share path. The file appears only when the write completes; on
// any failure it is abandoned and a file being replaced stays as it was. What the request
// checked is checked again before the archive is read and right before the file appears,
// with the task's lease last: folders, files and containers change meanwhile.
import { ARCHIVE_SOURCE } from '../archive/format.ts';
import { packArchive } from '../archive/pack.ts';
import { countedRootfs } from '../runtimes/counted-rootfs.ts';
import type { WorkerServices } from '../ports.ts';
import { parent, type SharePath } from '../share/paths.ts';
import type { TaskRecord } from '../tasks/model.ts';
import { TaskFailure } from './failure.ts';
import type { ProgressReporter } from './progress.ts';
import { taskSharePath } from './task-path.ts';

export async function runExport(services: WorkerServices, task: TaskRecord, progress: ProgressReporter): Promise<string[]> {
  const { config, storage, runtimes } = services;
  const container = await runtimes.find(task.type, task.cid);
  if (!container) throw new TaskFailure(`Container ${task.cid} no longer exists`);
  const target = taskSharePath(task, config.shareFolders);
  await requireTargetUnchanged(services, task, target, 'waited');

  // The runtime's export and the packing stop with the task, and when the write fails before it
  // read the archive to its end: the engine's stream is let go even if not a byte of it was read.
  const failed = new AbortController();
  const signal = AbortSignal.any([progress.signal, failed.signal]);
  const rootfs = await container.exportRootfs(signal);
  const estimate = rootfs.estimatedBytes;
  const source = countedRootfs(rootfs, progress.countAgainst(estimate));
  const archive = packArchive({ ...container.config, ...container.native, source: ARCHIVE_SOURCE }, source, { compress: task.compress ?? false, gzipLevel: config.gzipLevel, signal });
  try {
    await storage.writeAtomically(target, archive, {
      sizeHint: estimate,
      contentType: task.compress ? 'application/gzip' : 'application/x-tar',
      signal: progress.signal,
      beforeCommit: async () => {
        await requireTargetUnchanged(services, task, target, 'ran');
        if (!(await runtimes.find(task.type, task.cid))) throw new TaskFailure(`Container ${task.cid} was removed while the export ran; nothing was written`);
        await progress.confirmOwnership();
      },
      onPending: (write) => progress.recordPendingWrite(write),
    });
  } catch (err) {
    failed.abort(err);
    if (progress.signal.aborted) throw progress.signal.reason;
    throw err;
  }
  return [...(rootfs.warnings ?? [])];
}

/** The request's checks on the archive path, again: the path may have changed since. */
async function requireTargetUnchanged({ storage }: WorkerServices, task: TaskRecord, target: SharePath, moment: 'waited' | 'ran'): Promise<void> {
  const folder = parent(target);
  if (!(await storage.isDirectory(folder))) throw new TaskFailure(`The folder ${folder.display} was deleted while the export ${moment}; nothing was written`);
  if (await storage.isDirectory(target)) throw new TaskFailure(`${task.path} became a folder while the export ${moment}; nothing was written`);
  if (!task.force && (await storage.isFile(target))) throw new TaskFailure(`${task.path} appeared while the export ${moment}; it was left as it is`);
}
