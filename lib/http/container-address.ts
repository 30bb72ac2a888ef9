// The container a `/container/{type}/{id}/...` request names, or a 404.
import type { Context } from 'hono';
import { notFound } from './errors.ts';
import { quoteBounded } from '../quote.ts';
import { runtime } from '../runtimes/index.ts';
import type { ContainerRecord, ContainerType } from '../runtimes/runtime.ts';
import { parseContainerType } from '../runtimes/spec.ts';

export function containerAddress(c: Context): { type: ContainerType; id: string } {
  return { type: parseContainerType(c.req.param('type')), id: c.req.param('id') ?? '' };
}

export async function requireContainer(c: Context): Promise<ContainerRecord> {
  const { type, id } = containerAddress(c);
  const container = await runtime().get(type, id);
  if (!container) throw notFound(`Container ${quoteBounded(id)} not found`);
  return container;
}
