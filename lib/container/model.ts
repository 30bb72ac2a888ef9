// A container as the API shows it: the summary of `GET /api/v1/container` and the config of
// `GET .../all`, with the config's fields typed from the container schema (./schema.ts), so
// that every runtime, the archive and import speak of the same fields.
import { randomBytes } from 'node:crypto';
import type * as z from 'zod/mini';
import type { ContainerSpec } from './schema.ts';
import type { containerSummarySchema } from './view-schema.ts';

export type { ContainerSpec, ContainerType } from './schema.ts';

/** The basic object of `GET /api/v1/container` (./view-schema.ts). */
export type ContainerSummary = z.infer<typeof containerSummarySchema>;

/** The config object of `GET /api/v1/container/{type}/{id}/all` (and of import inspect). */
export type ContainerConfig = Omit<ContainerSpec, 'tag'> & {
  /** The architecture the root filesystem was built for, in Debian's names (lib/container/arch.ts). */
  arch: string;
};

/** The id a new container gets: an LXC container is known by its name, a Docker one by 64 hex digits, as the engines do. */
export function newContainerId(spec: Pick<ContainerSpec, 'type' | 'name'>): string {
  return spec.type === 'lxc' ? spec.name : randomBytes(32).toString('hex');
}

/** A container config with the tag of its image left out, as a new container records it. */
export function configFor(spec: ContainerSpec, arch: string): ContainerConfig {
  const { tag: _tag, ...config } = spec;
  return { ...config, arch };
}
