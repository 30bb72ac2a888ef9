// POST /api/v1/container
import { readJsonObject } from '../../lib/http/body.ts';
import { configuredRuntimes } from '../../lib/compose/runtimes.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { parseContainerSpec } from '../../lib/container/spec.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerCreate, { runtimes: configuredRuntimes }, async (c, { runtimes }) => {
  const spec = parseContainerSpec(await readJsonObject(c));
  return c.json(await runtimes.create(spec));
});

export const handler = fn.handler;
