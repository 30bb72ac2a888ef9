// DELETE /api/v1/container/{type}/{id}
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { containerAddress } from '../../lib/http/container-address.ts';
import { refuseContainerRemovalInUse } from '../../lib/tasks/in-use.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerRemove, { tasks: dynamoTasks, runtimes: configuredRuntimes }, async (c, { tasks, runtimes }) => {
  const { type, id } = containerAddress(c);
  await refuseContainerRemovalInUse(tasks, runtimes, type, id);
  await runtimes.remove(type, id);
  return c.json({});
});

export const handler = fn.handler;
