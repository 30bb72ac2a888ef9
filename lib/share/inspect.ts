// Import inspect: the config object at the head of an archive in a share folder, read with
// ranged requests so the bytes read stay bounded whatever the archive's size.
import type { ArchiveConfig } from '../archive/entry.ts';
import { ArchiveError } from '../archive/errors.ts';
import { inspectArchive } from '../archive/inspect.ts';
import { badRequest } from '../http/errors.ts';
import type { SharePath } from './paths.ts';
import { shareStorage } from './storage.ts';

export async function inspectShareArchive(path: SharePath): Promise<ArchiveConfig> {
  const storage = shareStorage();
  const size = await storage.fileSize(path);
  if (size === undefined) throw badRequest(path.display);
  try {
    return await inspectArchive((start, end) => storage.readRange(path, start, end), size);
  } catch (err) {
    if (err instanceof ArchiveError) throw badRequest(err.message);
    throw err;
  }
}
