// The body of `POST /api/v1/container` (and of an import request), checked with the container
// schema (lib/container/schema.ts), and the defaults a container gets for what it left out.
import {
  containerRequestSchema,
  containerTypeSchema,
  importRequestSchema,
  type ContainerSpec,
  type ContainerType,
  type ImportRequest,
} from './schema.ts';
import { parseRequest } from '../validation.ts';
import { InvalidInput } from '../errors.ts';

/** What the original server called the image of an imported container. */
export const IMPORT_IMAGE = 'import';
const IMPORT_TAG = 'latest';

/** The type segment of a `/container/{type}/{id}` path. */
export function parseContainerType(value: unknown): ContainerType {
  const parsed = containerTypeSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInput(`Container type must be "lxc" or "docker"`);
  return parsed.data;
}

export function parseContainerSpec(body: unknown): ContainerSpec {
  return withDefaults(parseRequest(containerRequestSchema, body));
}

/** An import's body, checked, with nothing filled in: what it left out comes from the archive. */
export function parseImportRequest(body: unknown): ImportRequest {
  return parseRequest(importRequestSchema, body);
}

/** The container an import creates, before the archive's config is laid under it. */
export function importSpec(request: ImportRequest): ContainerSpec {
  return withDefaults({ ...request, image: request.image ?? IMPORT_IMAGE, tag: request.tag ?? IMPORT_TAG });
}

function withDefaults<R extends Omit<ContainerSpec, 'autostart' | 'network' | 'resource' | 'volume'> & Partial<ContainerSpec>>(request: R): ContainerSpec {
  const spec = { ...request, autostart: request.autostart ?? false, network: request.network ?? {}, resource: request.resource ?? {}, volume: request.volume ?? {} };
  // Settings left out stay out: no `"command": undefined` in stored records.
  return Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== undefined)) as ContainerSpec;
}
