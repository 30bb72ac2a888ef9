// GET /api/v1/sharefolder/ and /api/v1/sharefolder/<path>
import { httpFunction } from '../../lib/http/function.ts';
import { rawPathAfter } from '../../lib/http/raw-path.ts';
import { listFolder, listShareFolders, shareRequestPath } from '../../lib/share/operations.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.sharefolderList, async (c) => {
  const { path } = shareRequestPath(rawPathAfter(c, '/sharefolder'));
  return c.json(path ? await listFolder(path) : await listShareFolders());
});

export const handler = fn.handler;
