// DELETE /api/v1/container/{type}/{id}
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { dynamoEvents } from '../../lib/compose/dynamo-events.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { containerEvent } from '../../lib/events/model.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { containerAddress } from '../../lib/http/container-address.ts';
import { requestUser } from '../../lib/http/session.ts';
import { refuseContainerRemovalInUse } from '../../lib/tasks/in-use.ts';
import { epochSeconds } from '../../lib/tasks/model.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(
  routes.containerRemove,
  { tasks: dynamoTasks, runtimes: configuredRuntimes, events: dynamoEvents },
  async (c, { tasks, runtimes, events }) => {
    const { type, id } = containerAddress(c);
    const found = await refuseContainerRemovalInUse(tasks, runtimes, type, id);
    await runtimes.remove(type, id);
    // The event names the container as it was created (a docker container may be addressed by its id).
    await events.append(containerEvent(requestUser(c), { name: found?.summary.name ?? id, type }, 'destroy', epochSeconds()));
    return c.json({});
  },
);

export const handler = fn.handler;
