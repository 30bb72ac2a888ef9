// POST /api/v1/container/{type}/{id}/export
import { readJsonObject } from '../../lib/http/body.ts';
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { s3Storage } from '../../lib/compose/s3-storage.ts';
import { requestUser } from '../../lib/http/session.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { logTaskId } from '../../lib/http/request-log.ts';
import { containerAddress } from '../../lib/http/container-address.ts';
import { createExportTask } from '../../lib/tasks/export-request.ts';
import { toApiTask } from '../../lib/tasks/model.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportCreate, { storage: s3Storage, tasks: dynamoTasks, runtimes: configuredRuntimes }, async (c, services) => {
  const { type, id } = containerAddress(c);
  const task = await createExportTask(services, type, id, await readJsonObject(c), requestUser(c));
  logTaskId(c, task.id);
  return c.json(toApiTask(task));
});

export const handler = fn.handler;
