// The container a `/container/{type}/{id}/...` request names, or a 404.
import type { Context } from 'hono';
import type { ContainerType } from '../container/model.ts';
import { quoteBounded } from '../quote.ts';
import type { RuntimeRegistry } from '../runtimes/registry.ts';
import type { Container } from '../runtimes/runtime.ts';
import { parseContainerType } from '../container/spec.ts';
import { notFound } from './errors.ts';

export function containerAddress(c: Context): { type: ContainerType; id: string } {
  return { type: parseContainerType(c.req.param('type')), id: c.req.param('id') ?? '' };
}

export async function requireContainer(c: Context, runtimes: RuntimeRegistry): Promise<Container> {
  const { type, id } = containerAddress(c);
  const container = await runtimes.find(type, id);
  if (!container) throw notFound(`Container ${quoteBounded(id)} not found`);
  return container;
}
