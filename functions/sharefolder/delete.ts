// DELETE /api/v1/sharefolder/<dir...>/<file> (a file) and /api/v1/sharefolder/<dir...>/ (a directory)
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { badRequest } from '../../lib/http/errors.ts';
import { rawPathAfter } from '../../lib/http/raw-path.ts';
import { deleteDirectory, deleteFile, shareRequestPath } from '../../lib/share/operations.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.sharefolderDelete, { storage: s3Storage, tasks: dynamoTasks }, async (c, services) => {
  const { path, trailingSlash } = shareRequestPath(services.config.shareFolders, rawPathAfter(c, '/sharefolder'));
  if (!path) throw badRequest('Name a file or directory to delete');
  // The trailing slash is the contract: without it a file is meant, with it a directory.
  if (trailingSlash) {
    await deleteDirectory(services, path);
    return c.json({});
  }
  await deleteFile(services, path);
  return c.body(null, 200);
});

export const handler = fn.handler;
