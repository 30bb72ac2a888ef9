// The container a `/container/{type}/{id}/...` request names, or a 404.
import type { Context } from 'hono';
import type { ContainerType } from '../container/model.ts';
import { quoteBounded } from '../quote.ts';
import type { RuntimeRegistry } from '../runtimes/registry.ts';
import type { Container } from '../runtimes/runtime.ts';
import { parseContainerType } from '../container/spec.ts';
import { notFound } from './errors.ts';

/**
 * Longer than any container's name (64 characters), id (64 hex digits) or name an engine
 * gives: an address past it names nothing, and is not handed on to a store whose keys it
 * would overflow (DynamoDB refuses a sort key over 1024 bytes, and that refusal is no 404).
 */
export const MAX_CONTAINER_ADDRESS_CHARS = 255;

export function containerAddress(c: Context): { type: ContainerType; id: string } {
  const type = parseContainerType(c.req.param('type'));
  const id = c.req.param('id') ?? '';
  if (id.length > MAX_CONTAINER_ADDRESS_CHARS) throw notFound(`Container ${quoteBounded(id)} not found`);
  return { type, id };
}

export async function requireContainer(c: Context, runtimes: RuntimeRegistry): Promise<Container> {
  const { type, id } = containerAddress(c);
  const container = await runtimes.find(type, id);
  if (!container) throw notFound(`Container ${quoteBounded(id)} not found`);
  return container;
}
