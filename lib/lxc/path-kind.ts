// What stands at a host path of LXC_PATH, never following a symlink there.
import { lstat } from 'node:fs/promises';

/** Whether anything (a symlink too) is there; a failure other than its absence stands. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Whether a directory itself (not a symlink to one) is there. */
export async function isDirectory(path: string): Promise<boolean> {
  return lstat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}
