// Who runs the worker of a data dir. Each start of `npm start` is a new worker host with a
// fresh id, written with its pid to <data dir>/worker-host.json. Every task it claims is owned
// by `<hostId>:<uuid>`. A start that finds the file of a host whose pid is gone knows that
// host died (a SIGKILL, a power cut): its running tasks can be ended at once instead of
// waiting out their lease.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../../lib/process-alive.ts';

export interface WorkerHostIdentity {
  hostId: string;
  pid: number;
}

const fileIn = (dataDir: string) => join(dataDir, 'worker-host.json');

/** The previous host of this data dir, if it is no longer running; undefined otherwise. */
export function deadPreviousHost(dataDir: string): WorkerHostIdentity | undefined {
  let previous: WorkerHostIdentity;
  try {
    previous = JSON.parse(readFileSync(fileIn(dataDir), 'utf8')) as WorkerHostIdentity;
  } catch {
    return undefined; // first start, or an unreadable file: nothing to recover
  }
  if (typeof previous.hostId !== 'string' || !Number.isInteger(previous.pid)) return undefined;
  return isProcessAlive(previous.pid) && previous.pid !== process.pid ? undefined : previous;
}

/** Records this process as the data dir's worker host (after the previous one was dealt with). */
export function becomeHost(dataDir: string): WorkerHostIdentity {
  const identity = { hostId: `local-${randomUUID()}`, pid: process.pid };
  mkdirSync(dataDir, { recursive: true });
  // Written whole then renamed, so a crash never leaves half a file.
  const temporary = `${fileIn(dataDir)}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(identity));
  renameSync(temporary, fileIn(dataDir));
  return identity;
}
