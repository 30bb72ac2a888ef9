// POST /api/v1/sharefolder/<dir...>/ {name, is_dir, content|context}
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { readJsonObject } from '../../lib/http/body.ts';
import { badRequest } from '../../lib/http/errors.ts';
import { rawPathAfter } from '../../lib/http/raw-path.ts';
import { optionalBoolean, optionalString, requiredString } from '../../lib/json-fields.ts';
import { createEntry, shareRequestPath } from '../../lib/share/operations.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.sharefolderCreate, { storage: s3Storage }, async (c, services) => {
  const { path } = shareRequestPath(services.config.shareFolders, rawPathAfter(c, '/sharefolder'));
  const body = await readJsonObject(c);
  if (!path) throw badRequest('Name a share folder to create into');
  const isDir = optionalBoolean(body, 'is_dir');
  if (isDir === undefined) throw badRequest('"is_dir" is required');
  // Every example of the spec sends the text as `context`; the field list calls it `content`.
  const content = optionalString(body, 'content') ?? optionalString(body, 'context') ?? '';
  return c.json(await createEntry(services, path, { name: requiredString(body, 'name'), isDir, content }));
});

export const handler = fn.handler;
