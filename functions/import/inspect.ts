// GET /api/v1/import/<dirpath>/?name=<file>: the config an import of the archive gives its container
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { sortKeysDeep } from '../../lib/sorted-json.ts';
import { archivePathOf } from '../../lib/http/archive-path.ts';
import { inspectShareArchive } from '../../lib/share/inspect.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importInspect, { storage: s3Storage }, async (c, { config, storage }) =>
  c.json(sortKeysDeep(await inspectShareArchive(storage, archivePathOf(c, config.shareFolders)))),
);

export const handler = fn.handler;
