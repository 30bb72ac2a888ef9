// The container config both ways between stevedore's schema (lib/container/schema.ts) and the
// Docker Engine API: from `GET /containers/{id}/json` to the config an export records, and from
// a container spec to the body of `POST /containers/create`.
import type { ContainerConfig } from '../container/model.ts';
import { memoryBytes, type Network, type Resource, type Volume } from '../container/schema.ts';

/** The part of `GET /containers/{id}/json` the config is made of. */
export interface DockerInspect {
  Id: string;
  Name: string;
  Created: string;
  /** The id of the image it was made from. */
  Image?: string;
  State: { Status: string };
  Config: { Image: string; Labels?: Record<string, string> | null; Hostname?: string; Env?: string[] | null; Cmd?: string[] | null; Entrypoint?: string[] | null; ExposedPorts?: Record<string, object> | null };
  HostConfig: {
    RestartPolicy?: { Name?: string };
    PortBindings?: Record<string, { HostPort?: string }[] | null> | null;
    Memory?: number;
    CpuShares?: number;
    Binds?: string[] | null;
    Dns?: string[] | null;
  };
}

const AUTOSTART_POLICIES = new Set(['always', 'unless-stopped']);
/** The engine's short id, which it also makes the default hostname. */
const SHORT_ID_LENGTH = 12;

/**
 * What the engine cannot hold itself, kept as labels of the container stevedore creates: the
 * image its config names (an import's engine image is stevedore's own), the architecture the
 * root filesystem was built for, and that the command is only the engine's required default.
 */
export const LABELS = { image: 'io.stevedore.image', arch: 'io.stevedore.arch', defaultCommand: 'io.stevedore.default-command' } as const;
/** The range of `cpuweight` the schema takes (the original's relative shares). */
const CPU_WEIGHT = { min: 2, max: 1024 };

export function configOfInspect(inspect: DockerInspect, imageArch: string): ContainerConfig {
  const { Config: config, HostConfig: host } = inspect;
  const labels = config.Labels ?? {};
  const network: Network = {};
  // Without one asked for, the engine names the host after the container's short id: that is
  // no setting, and a copy imported elsewhere must not take the old container's name.
  if (config.Hostname && config.Hostname !== inspect.Id.slice(0, SHORT_ID_LENGTH)) network.hostname = config.Hostname;
  const ports = publishedPorts(host.PortBindings ?? {});
  if (ports.length > 0) network.port = ports;
  if (host.Dns && host.Dns.length > 0) network.dns = host.Dns;
  const limit: NonNullable<Resource['limit']> = {};
  if (host.Memory) limit.memory = host.Memory;
  if (host.CpuShares) limit.cpuweight = Math.min(CPU_WEIGHT.max, Math.max(CPU_WEIGHT.min, host.CpuShares));
  const volume: Volume = {};
  for (const bind of host.Binds ?? []) {
    const [source, target, mode] = bind.split(':');
    if (source && target) (volume.host ??= {})[source] = { bind: target, ...(mode?.split(',').includes('ro') ? { ro: true } : {}) };
  }
  const settings: Partial<ContainerConfig> = {};
  if (config.Env && config.Env.length > 0) settings.environment = config.Env;
  if (config.Cmd && config.Cmd.length > 0 && labels[LABELS.defaultCommand] !== 'true') settings.command = config.Cmd;
  if (config.Entrypoint && config.Entrypoint.length > 0) settings.entrypoint = config.Entrypoint;
  return {
    type: 'docker',
    name: inspect.Name.replace(/^\//, ''),
    // The tag is part of the summary's image, not of the config (as a new container records it).
    image: labels[LABELS.image] ?? imageName(config.Image),
    arch: labels[LABELS.arch] ?? imageArch,
    autostart: AUTOSTART_POLICIES.has(host.RestartPolicy?.Name ?? ''),
    network,
    resource: Object.keys(limit).length > 0 ? { limit } : {},
    volume,
    ...settings,
  };
}

function publishedPorts(bindings: Record<string, { HostPort?: string }[] | null>): [number, number, 'tcp' | 'udp'][] {
  const ports: [number, number, 'tcp' | 'udp'][] = [];
  for (const [key, hosts] of Object.entries(bindings)) {
    const [container, protocol] = key.split('/');
    if (protocol !== 'tcp' && protocol !== 'udp') continue;
    for (const host of hosts ?? []) if (host.HostPort) ports.push([Number(host.HostPort), Number(container), protocol]);
  }
  return ports.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** The body of `POST /containers/create` for a container of `image` with the spec's settings. */
export function createBody(
  spec: Pick<ContainerConfig, 'autostart' | 'network' | 'resource' | 'volume' | 'environment' | 'command' | 'entrypoint'>,
  image: string,
  labels: Record<string, string>,
): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const [host, container, protocol] of spec.network.port ?? []) {
    exposed[`${container}/${protocol}`] = {};
    (bindings[`${container}/${protocol}`] ??= []).push({ HostPort: String(host) });
  }
  for (const port of spec.network.expose_port ?? []) exposed[`${port}/tcp`] = {};
  const limit = spec.resource.limit;
  const memory = limit?.memory === undefined ? undefined : memoryBytes(limit.memory);
  const binds = Object.entries(spec.volume.host ?? {}).map(([source, { bind, ro }]) => `/${source.replace(/^\//, '')}:${bind}${ro ? ':ro' : ''}`);
  const command = typeof spec.command === 'string' ? ['/bin/sh', '-c', spec.command] : spec.command;
  const entrypoint = typeof spec.entrypoint === 'string' ? [spec.entrypoint] : spec.entrypoint;
  return {
    Image: image,
    Labels: labels,
    Hostname: spec.network.hostname,
    Env: spec.environment,
    Cmd: command,
    Entrypoint: entrypoint,
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Memory: memory,
      CpuShares: limit?.cpuweight,
      // cputime is milliseconds of CPU per second.
      ...(limit?.cputime === undefined ? {} : { CpuPeriod: 1_000_000, CpuQuota: limit.cputime * 1000 }),
      Binds: binds,
      Dns: spec.network.dns,
      RestartPolicy: { Name: spec.autostart ? 'always' : 'no' },
    },
  };
}

/** An image reference without its tag. */
export function imageName(image: string): string {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') && !image.startsWith('sha256:') ? image.slice(0, colon) : image;
}

/** `name:tag` of an image reference, `latest` when it names none. */
export function withTag(image: string): string {
  if (image.startsWith('sha256:') || image.includes('@')) return image;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? image : `${image}:latest`;
}
