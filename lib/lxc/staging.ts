// A container directory is built out of sight and appears in one step: everything is written
// under a staging directory inside LXC_PATH (the same filesystem, so the final rename is atomic)
// whose name carries the writing process's id. What a crashed process left behind is then
// recognised and removed, and never what a live process is still writing.
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../process-alive.ts';
import { pathExists } from './path-kind.ts';

const STAGING_PREFIX = '.stevedore-staging-';

/** Whether a name in LXC_PATH is stevedore's own (staging, images) rather than a container. */
export const isStevedoreEntry = (name: string) => name.startsWith('.stevedore');

export async function makeStaging(lxcPath: string, name: string): Promise<string> {
  return mkdtemp(join(lxcPath, `${STAGING_PREFIX}${process.pid}-${name}-`));
}

/**
 * Renames the staging directory to `target`; false when something is already there. rename(2)
 * would replace an empty directory, so the target is looked at first: only an empty directory
 * made in the instant between the two steps could be replaced, and it holds nothing.
 */
export async function commitStaging(staging: string, target: string): Promise<boolean> {
  if (await pathExists(target)) return false;
  try {
    await rename(staging, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw err;
  }
}

export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/** Removes the staging directories of processes that no longer run; their names. */
export async function removeAbandonedStaging(lxcPath: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(lxcPath).catch(() => [] as string[])) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) continue;
    await rm(join(lxcPath, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
