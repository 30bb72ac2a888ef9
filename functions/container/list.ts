// GET /api/v1/container
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerList, { runtimes: configuredRuntimes }, async (c, { runtimes }) => c.json(await runtimes.list()));

export const handler = fn.handler;
