// DELETE /api/v1/container/{type}/{id}
import { httpFunction } from '../../lib/http/function.ts';
import { runtime } from '../../lib/runtimes/index.ts';
import { containerAddress } from '../../lib/http/container-address.ts';
import { refuseContainerRemovalInUse } from '../../lib/tasks/in-use.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerRemove, async (c) => {
  const { type, id } = containerAddress(c);
  await refuseContainerRemovalInUse(type, id);
  await runtime().remove(type, id);
  return c.json({});
});

export const handler = fn.handler;
