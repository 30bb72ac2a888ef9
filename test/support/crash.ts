// What the crash tests share: a big plain root-filesystem tarball put into a share folder (an
// import of it runs for seconds), waiting for a task to run, and reading it through the API.
import { packTar } from '../../lib/archive/pack.ts';
import { uploadStream } from '../../lib/aws/stream-upload.ts';
import { call } from './api.ts';
import type { RestartableHostWorker } from './host-worker.ts';
import { incompressibleRootfs } from './rootfs.ts';
import type { TestStack } from './stack.ts';

const MIB = 1024 * 1024;

export type TaskKind = 'export' | 'import';

/** `<share path>` as a tar of `files` incompressible files of 4 MiB. */
export async function putBigTarball(stack: TestStack, key: string, files: number): Promise<void> {
  await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key, body: packTar(incompressibleRootfs(files, 4 * MIB)), partSize: 8 * MIB, contentType: 'application/x-tar' });
}

export async function taskOf(base: string, kind: TaskKind, id: number): Promise<Record<string, any> | undefined> {
  return (await call<Record<string, any>[]>(base, 'GET', `/api/v1/${kind}/`)).body.find((t) => t.id === id);
}

/** Waits until the task runs and reported some progress: it is in the middle of its work. */
export async function untilInTheMiddle(base: string, kind: TaskKind, id: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await taskOf(base, kind, id);
    if (task?.state === 'completed' || task?.state === 'aborted') throw new Error(`the ${kind} ended before the test could kill its worker: ${JSON.stringify(task)}`);
    if (task?.state === 'running' && task.progress !== 0) return;
    if (Date.now() > deadline) throw new Error(`the ${kind} never ran: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The names a share folder's listing shows. */
export async function listedNames(base: string, folder: string): Promise<string[]> {
  const listed = await call(base, 'GET', `/api/v1/sharefolder/${folder}`);
  return JSON.stringify(listed.body).match(/"name":"[^"]*"/g) ?? [];
}

export interface Restarted {
  /** The task as it was once the restarted worker said it was ready (read once, not waited for). */
  task: Record<string, any> | undefined;
  /** How long the restarted worker took to be ready, from its start. */
  readyAfterMs: number;
  /** The share folder's names while no worker ran, then after the restart. */
  listed: string[];
}

/** SIGKILLs the worker and starts another. */
export async function killAndRestart(base: string, worker: RestartableHostWorker, kind: TaskKind, id: number, folder = 'test'): Promise<Restarted> {
  worker.current().child.kill('SIGKILL');
  await worker.current().exited;
  const listedWhileDown = await listedNames(base, folder);
  const restartedAt = await worker.start();
  const readyAfterMs = Date.now() - restartedAt;
  const task = await taskOf(base, kind, id);
  return { task, readyAfterMs, listed: [...listedWhileDown, ...(await listedNames(base, folder))] };
}
