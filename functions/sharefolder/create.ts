// POST /api/v1/sharefolder/<dir...>/ {name, is_dir, content|context}
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { readJsonObject } from '../../lib/http/body.ts';
import { badRequest } from '../../lib/http/errors.ts';
import { rawPathAfter } from '../../lib/http/raw-path.ts';
import { createRequestOf } from '../../lib/share/create-request.ts';
import { createEntry, shareRequestPath } from '../../lib/share/operations.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.sharefolderCreate, { storage: s3Storage }, async (c, services) => {
  const { path } = shareRequestPath(services.config.shareFolders, rawPathAfter(c, '/sharefolder'));
  const body = await readJsonObject(c);
  if (!path) throw badRequest('Name a share folder to create into');
  return c.json(await createEntry(services, path, createRequestOf(body)));
});

export const handler = fn.handler;
