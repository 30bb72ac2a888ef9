// Validation of the body of `POST /api/v1/container` (also the body of an import request).
import { optionalBoolean, optionalObject, optionalString, requiredString, type JsonObject } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import { quoteBounded } from '../http/quote.ts';
import type { ContainerSpec, ContainerType } from './runtime.ts';

export const CONTAINER_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9-_.]{1,63}$/;
const KNOWN_FIELDS = new Set(['type', 'name', 'image', 'tag', 'autostart', 'network', 'resource', 'volume']);

export function parseContainerType(value: unknown): ContainerType {
  if (value === 'lxc' || value === 'docker') return value;
  throw badRequest(`Container type must be "lxc" or "docker"`);
}

export function checkContainerName(name: string): string {
  if (!CONTAINER_NAME_RULE.test(name)) {
    throw badRequest(`Invalid container name "${quoteBounded(name)}": 2-64 characters of a-z A-Z 0-9 - _ . starting with a letter or digit`);
  }
  return name;
}

/**
 * `image` and `tag` are required when creating a container; an import takes its root
 * filesystem from the archive, so there they default to "import" and "latest".
 */
export function parseContainerSpec(body: JsonObject, options: { forImport: boolean }): ContainerSpec {
  if (body.type === undefined) throw badRequest('"type" is required');
  const type = parseContainerType(body.type);
  const name = checkContainerName(requiredString(body, 'name'));
  const image = options.forImport ? (optionalString(body, 'image') ?? 'import') : requiredString(body, 'image');
  const tag = options.forImport ? (optionalString(body, 'tag') ?? 'latest') : requiredString(body, 'tag');
  const extra = Object.fromEntries(Object.entries(body).filter(([key]) => !KNOWN_FIELDS.has(key)));
  return {
    type,
    name,
    image,
    tag,
    autostart: optionalBoolean(body, 'autostart') ?? false,
    network: optionalObject(body, 'network') ?? {},
    resource: optionalObject(body, 'resource') ?? {},
    volume: optionalObject(body, 'volume') ?? {},
    extra,
  };
}
