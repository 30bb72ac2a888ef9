// POST /api/v1/container
import { readJsonObject } from '../../lib/http/body.ts';
import { dynamoEvents } from '../../lib/compose/dynamo-events.ts';
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { containerEvent } from '../../lib/events/model.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { requestUser } from '../../lib/http/session.ts';
import { parseContainerSpec } from '../../lib/container/spec.ts';
import { epochSeconds } from '../../lib/tasks/model.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerCreate, { runtimes: configuredRuntimes, events: dynamoEvents }, async (c, { runtimes, events }) => {
  const spec = parseContainerSpec(await readJsonObject(c));
  const container = await runtimes.create(spec);
  // After the runtime made it: an event never announces a container that does not exist.
  await events.append(containerEvent(requestUser(c), container, 'create', epochSeconds()));
  return c.json(container);
});

export const handler = fn.handler;
