// Import inspect: the config object at the head of an archive in a share folder, read with
// ranged requests so the bytes read stay bounded whatever the archive's size, as the config
// an import of it would give its container.
import { ArchiveError } from '../archive/errors.ts';
import { inspectArchive } from '../archive/inspect.ts';
import { inspectedConfig, type InspectedConfig } from '../container/import-config.ts';
import { InvalidInput, MissingPath } from '../errors.ts';
import type { SharePath } from './paths.ts';
import type { ShareStorage } from './share-storage.ts';

export async function inspectShareArchive(storage: ShareStorage, path: SharePath): Promise<InspectedConfig> {
  const size = await storage.fileSize(path);
  if (size === undefined) throw new MissingPath(path.display);
  try {
    const fromArchive = await inspectArchive((start, end) => storage.readRange(path, start, end), size);
    return inspectedConfig(fromArchive, path.segments.at(-1) ?? '');
  } catch (err) {
    if (err instanceof ArchiveError) throw new InvalidInput(err.message);
    throw err;
  }
}
