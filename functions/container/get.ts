// GET /api/v1/container/{type}/{id}
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { requireContainer } from '../../lib/http/container-address.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerGet, { runtimes: configuredRuntimes }, async (c, { runtimes }) => c.json((await requireContainer(c, runtimes)).summary));

export const handler = fn.handler;
