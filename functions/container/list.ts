// GET /api/v1/container
import { httpFunction } from '../../lib/http/function.ts';
import { runtime } from '../../lib/runtimes/index.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.containerList, async (c) => c.json(await runtime().list()));

export const handler = fn.handler;
