// `/import/<dirpath>/?name=<file>`: the folder from the path and the file from `name`,
// both through the share-folder path rules, and both from the one parsed request target.
import type { Context } from 'hono';
import { badRequest } from './errors.ts';
import { rawPathAfter } from './raw-path.ts';
import { queryParameter } from './request-target.ts';
import type { ShareFolderConfig } from '../config.ts';
import { shareRequestPath } from '../share/operations.ts';
import { nameProblem } from '../names.ts';
import { child, type SharePath } from '../share/paths.ts';

export function archivePathOf(c: Context, folders: readonly ShareFolderConfig[]): SharePath {
  const { path: dir } = shareRequestPath(folders, rawPathAfter(c, '/import'));
  if (!dir) throw badRequest('Name the folder that holds the archive: /api/v1/import/<folder>/?name=<file>');
  const name = queryParameter(c, 'name');
  if (name === undefined || name === '') throw badRequest('The query parameter "name" (the archive file name) is required');
  const problem = nameProblem(name);
  if (problem) throw badRequest(`Invalid name: ${problem}`);
  return child(dir, name);
}
