// GET /api/v1/container/{type}/{id}
import { httpFunction } from '../../lib/http/function.ts';
import { summary } from '../../lib/runtimes/builtin.ts';
import { requireContainer } from '../../lib/http/container-address.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerGet, async (c) => c.json(summary(await requireContainer(c))));

export const handler = fn.handler;
