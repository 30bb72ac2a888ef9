// The runtimes each container type gets, as configuration chose them (`STEVEDORE_DOCKER_RUNTIME`,
// `STEVEDORE_LXC_RUNTIME`). Only the built-in runtime exists yet: it serves every type chosen
// `builtin`.
import type { AwsClients } from '../aws/clients.ts';
import type { Config } from '../config.ts';
import type { ContainerType } from '../container-type.ts';
import { BuiltinRuntime } from '../runtimes/builtin.ts';
import { RuntimeRegistry } from '../runtimes/registry.ts';
import type { Adapter } from './compose.ts';

export function builtinRuntimeFor(config: Config, aws: AwsClients): BuiltinRuntime {
  const types: ContainerType[] = [];
  if (config.dockerRuntime === 'builtin') types.push('docker');
  if (config.lxcRuntime === 'builtin') types.push('lxc');
  return new BuiltinRuntime({ doc: aws.doc, s3: aws.s3, table: config.tableName, bucket: config.bucketName, partSize: config.uploadPartBytes, types });
}

export function registryWith(builtin: BuiltinRuntime): RuntimeRegistry {
  return new RuntimeRegistry([builtin]);
}

export const configuredRuntimes: Adapter<'runtimes'> = (config, aws) => registryWith(builtinRuntimeFor(config, aws));
