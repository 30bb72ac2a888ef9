// The directories a container's share volumes are mounted on, made inside its root filesystem
// before it first starts: stevedore writes volume binds without LXC's create=dir, which would
// make a missing target by following the root filesystem's own symlinks onto the host. Each
// segment is looked up through an open handle and never through a symlink.
import { mkdir } from 'node:fs/promises';
import { DirectoryHandle, errorCode } from './directory-handle.ts';

/** Makes `target` (absolute inside the container, e.g. `/mnt/data`) under `root`; false where a symlink or a file stands in the way. */
export async function makeMountTarget(root: string, target: string): Promise<boolean> {
  const segments = target.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return false;
  let directory = await DirectoryHandle.open(root);
  try {
    for (const segment of segments) {
      let next: DirectoryHandle;
      try {
        next = await directory.openDirectory(segment);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') return false; // ELOOP (a symlink) or ENOTDIR (a file)
        await mkdir(directory.pathOf(segment), 0o755);
        next = await directory.openDirectory(segment);
      }
      await directory.close();
      directory = next;
    }
    return true;
  } finally {
    await directory.close();
  }
}
