// The create parameters of an import (and of a new container): a --params file as
// POST /api/v1/container takes its body, with the common settings as flags laid over it.
// The server checks them all (a bad one is a 400 naming it); the CLI only shapes them.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export interface ParamFlags {
  params?: string;
  image?: string;
  hostname?: string;
  port?: string[];
  dns?: string[];
  env?: string[];
  memory?: string;
  cputime?: string;
  cpuweight?: string;
  autostart?: boolean;
}

type Json = Record<string, unknown>;

export async function readParamsFile(path: string): Promise<Json> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the parameters in ${path}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${path} must hold a JSON object`);
  return parsed as Json;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function withParamFlags(command: Command): Command {
  return command
    .option('--params <file.json>', 'create parameters as a JSON object (network, resource, volume, command, ...); the flags below override it')
    .option('--image <name>', 'the image name the new container reports')
    .option('--hostname <name>', 'network.hostname')
    .option('--port <host:container[/tcp|udp]>', 'a published port (repeatable)', collect)
    .option('--dns <address>', 'a DNS server (repeatable)', collect)
    .option('--env <NAME=value>', 'an environment variable (repeatable)', collect)
    .option('--memory <size>', 'resource.limit.memory, like 768m')
    .option('--cputime <n>', 'resource.limit.cputime (10-999)')
    .option('--cpuweight <n>', 'resource.limit.cpuweight (2-1024)')
    .option('--autostart', 'start the container with the host');
}

export async function createParams(flags: ParamFlags): Promise<Json> {
  const params: Json = flags.params ? await readParamsFile(flags.params) : {};
  const network = { ...(params.network as Json | undefined) };
  const limit = { ...((params.resource as Json | undefined)?.limit as Json | undefined) };
  if (flags.image !== undefined) params.image = flags.image;
  if (flags.hostname !== undefined) network.hostname = flags.hostname;
  if (flags.port) network.port = flags.port.map(parsePort);
  if (flags.dns) network.dns = flags.dns;
  if (flags.env) params.environment = flags.env;
  if (flags.memory !== undefined) limit.memory = flags.memory;
  if (flags.cputime !== undefined) limit.cputime = Number(flags.cputime);
  if (flags.cpuweight !== undefined) limit.cpuweight = Number(flags.cpuweight);
  if (flags.autostart) params.autostart = true;
  if (Object.keys(network).length > 0) params.network = network;
  if (Object.keys(limit).length > 0) params.resource = { ...(params.resource as Json | undefined), limit };
  return params;
}

function parsePort(value: string): [number, number, string] {
  const match = /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(value);
  if (!match) throw new UsageError(`--port ${value}: write it as host:container or host:container/udp`);
  return [Number(match[1]), Number(match[2]), match[3] ?? 'tcp'];
}
