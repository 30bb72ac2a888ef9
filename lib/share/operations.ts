// The share-folder operations of the API ("File operations"), independent of HTTP.
import type { ShareFolderConfig } from '../config.ts';
import { InvalidInput, MissingPath, ReadOnly } from '../errors.ts';
import type { Services } from '../ports.ts';
import { humanSize } from '../size.ts';
import { refuseFileDeleteInUse, refuseFolderDeleteInUse } from '../tasks/in-use.ts';
import { checkName, child, decodeSegments, requireWritable, resolveSharePath, type SharePath } from './paths.ts';
import type { FolderEntry, ShareFolderEntry } from './entry-schema.ts';

export type { ShareFolderEntry } from './entry-schema.ts';

/** `GET /sharefolder/`: the configured share folders with their sizes. */
export async function listShareFolders({ config, storage }: Pick<Services, 'config' | 'storage'>): Promise<ShareFolderEntry[]> {
  const folders = [...config.shareFolders].sort((a, b) => (a.name < b.name ? -1 : 1));
  return Promise.all(
    folders.map(async (folder) => ({
      is_dir: true,
      name: folder.name,
      totalsize: humanSize(folder.quotaBytes),
      type: 'd' as const,
      usedsize: humanSize(await storage.usedBytes(folder.name)),
      write: folder.writable,
    })),
  );
}

/** A request path below `/sharefolder/`, decoded and checked. */
export function shareRequestPath(folders: readonly ShareFolderConfig[], rawTail: string): { path: SharePath | undefined; trailingSlash: boolean } {
  const { segments, trailingSlash } = decodeSegments(rawTail);
  if (segments.length === 0) return { path: undefined, trailingSlash };
  return { path: resolveSharePath(segments, folders), trailingSlash };
}

export interface CreateRequest {
  name: string;
  isDir: boolean;
  content: string;
}

/** Creates a directory or a text file in `dir` and answers the listing of `dir`. */
export async function createEntry({ storage }: Pick<Services, 'storage'>, dir: SharePath, request: CreateRequest): Promise<FolderEntry[]> {
  const name = checkName(request.name);
  requireWritable(dir);
  if (!(await storage.isDirectory(dir))) throw new MissingPath(dir.display);
  const target = child(dir, name);
  if (await storage.exists(target)) throw new InvalidInput(`${target.display} already exists`);
  if (request.isDir) await storage.createDirectory(target);
  else await storage.createFile(target, request.content);
  return storage.list(dir);
}

export async function deleteFile({ storage, tasks }: Pick<Services, 'storage' | 'tasks'>, path: SharePath): Promise<void> {
  requireWritable(path);
  if (path.segments.length === 1 || !(await storage.isFile(path))) throw new MissingPath(path.display);
  await refuseFileDeleteInUse(tasks, path);
  await storage.deleteFile(path);
}

export async function deleteDirectory({ storage, tasks }: Pick<Services, 'storage' | 'tasks'>, path: SharePath): Promise<void> {
  requireWritable(path);
  if (path.segments.length === 1) throw new ReadOnly(`Share folder ${path.folder.name} itself cannot be deleted`);
  if (!(await storage.isDirectory(path))) throw new MissingPath(path.display);
  await refuseFolderDeleteInUse(tasks, path);
  await storage.deleteDirectory(path);
}
