// Ending a task whose worker is gone or going: marked aborted with a message that tells the
// client to start it again, its reservation freed (so a re-export to the same path works at
// once), and its unfinished multipart upload aborted so the bucket keeps no orphan parts.
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { clients } from '../aws/clients.ts';
import { config } from '../config.ts';
import { logger } from '../log.ts';
import { RESULT_FAILED, TASK_KINDS, type TaskKind, type TaskRecord, type UploadRef } from '../tasks/model.ts';
import { taskStore } from '../tasks/store.ts';

/** What a client reads when stevedore itself (not the task) ended a task: `why` is e.g. "stopped (SIGTERM)". */
export function interruptedMessage(why: string, kind: TaskKind): string {
  return `stevedore ${why} while this ${kind} ran; start it again`;
}

/**
 * Aborts a running task. `owner` is its claim (undefined: the sweep, conditional on the lease
 * it saw). False when the task had moved on meanwhile.
 */
export async function abandonTask(task: TaskRecord, owner: string | undefined, error: string): Promise<boolean> {
  const aborted = await taskStore().finish(task, owner, { state: 'aborted', result: RESULT_FAILED, error });
  if (!aborted) return false;
  await taskStore().releaseUses(task);
  if (task.upload) await abortUpload(task.upload);
  return true;
}

/** Aborts every running task of one worker host (owner ids `<hostId>:...`). */
export async function abandonTasksOfHost(hostId: string, why: string): Promise<TaskRecord[]> {
  const abandoned: TaskRecord[] = [];
  for (const kind of TASK_KINDS) {
    for (const task of await taskStore().runningOwnedBy(kind, `${hostId}:`)) {
      if (await abandonTask(task, task.owner, interruptedMessage(why, kind))) {
        logger.warn('task of a stopped worker aborted', { kind, id: task.id, why });
        abandoned.push(task);
      }
    }
  }
  return abandoned;
}

/** Best effort: some S3-compatible stores (s3rver) cannot abort; the bucket's lifecycle rule is the backstop. */
async function abortUpload(upload: UploadRef): Promise<void> {
  await clients()
    .s3.send(new AbortMultipartUploadCommand({ Bucket: config().bucketName, Key: upload.key, UploadId: upload.uploadId }))
    .catch((err: unknown) => logger.debug('abort of a multipart upload failed', { key: upload.key, error: err as Error }));
}
