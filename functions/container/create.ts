// POST /api/v1/container
import { readJsonObject } from '../../lib/http/body.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { summary } from '../../lib/runtimes/builtin.ts';
import { runtime } from '../../lib/runtimes/index.ts';
import { parseContainerSpec } from '../../lib/runtimes/spec.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerCreate, async (c) => {
  const spec = parseContainerSpec(await readJsonObject(c));
  return c.json(summary(await runtime().create(spec)));
});

export const handler = fn.handler;
