// POST /api/v1/import/<dirpath>/?name=<file>: creates an import task from an archive
import { readJsonObject } from '../../lib/http/body.ts';
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { requestUser } from '../../lib/http/session.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { logTaskId } from '../../lib/http/request-log.ts';
import { archivePathOf } from '../../lib/http/archive-path.ts';
import { createImportTask } from '../../lib/tasks/import-request.ts';
import { toApiTask } from '../../lib/tasks/model.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importCreate, { storage: s3Storage, tasks: dynamoTasks, runtimes: configuredRuntimes }, async (c, services) => {
  const archive = archivePathOf(c, services.config.shareFolders);
  const task = await createImportTask(services, archive, await readJsonObject(c), requestUser(c));
  logTaskId(c, task.id);
  return c.json(toApiTask(task));
});

export const handler = fn.handler;
