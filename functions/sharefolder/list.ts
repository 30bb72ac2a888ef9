// GET /api/v1/sharefolder/ and /api/v1/sharefolder/<path>
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { rawPathAfter } from '../../lib/http/raw-path.ts';
import { listShareFolders, shareRequestPath } from '../../lib/share/operations.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.sharefolderList, { storage: s3Storage }, async (c, services) => {
  const { path } = shareRequestPath(services.config.shareFolders, rawPathAfter(c, '/sharefolder'));
  return c.json(path ? await services.storage.list(path) : await listShareFolders(services));
});

export const handler = fn.handler;
