// GET /api/v1/container/{type}/{id}/all
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { sortKeysDeep } from '../../lib/sorted-json.ts';
import { requireContainer } from '../../lib/http/container-address.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerConfig, { runtimes: configuredRuntimes }, async (c, { runtimes }) => c.json(sortKeysDeep((await requireContainer(c, runtimes)).config)));

export const handler = fn.handler;
