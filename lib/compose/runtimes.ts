// The runtimes each container type gets, as configuration chose them (`STEVEDORE_DOCKER_RUNTIME`,
// `STEVEDORE_LXC_RUNTIME`): the built-in runtime serves every type chosen `builtin`, the Docker
// Engine runtime the `docker` type when it is chosen `engine`, and the LXC runtime (LXC_PATH's
// directories) the `lxc` type when it is chosen `lxc`, and the host inventory (what host workers
// publish) the types chosen `host`.
import type { ClientSet } from '../aws/client-set.ts';
import { dynamoDocuments } from '../aws/dynamo-documents.ts';
import { s3Requests } from '../aws/s3-requests.ts';
import type { ObjectTransfers } from '../aws/s3-transfers.ts';
import { secretReader } from '../aws/secret.ts';
import { CONTAINER_TYPES, runtimeChoiceOf, type Config } from '../config.ts';
import type { ContainerType } from '../container-type.ts';
import { DockerClient } from '../docker/client.ts';
import { BuiltinRuntime } from '../runtimes/builtin.ts';
import { DockerEngineRuntime } from '../runtimes/docker-engine.ts';
import { HostInventoryRuntime } from '../runtimes/host-inventory.ts';
import { LxcRuntime } from '../runtimes/lxc.ts';
import { RuntimeRegistry } from '../runtimes/registry.ts';
import type { ContainerRuntime } from '../runtimes/runtime.ts';
import type { Adapter } from './compose.ts';

/** `transfers`: the worker's and provisioning's; the API functions export and import nothing themselves. */
export function builtinRuntimeFor(config: Config, aws: ClientSet, transfers?: ObjectTransfers): BuiltinRuntime {
  const types: ContainerType[] = [];
  if (config.dockerRuntime === 'builtin') types.push('docker');
  if (config.lxcRuntime === 'builtin') types.push('lxc');
  return new BuiltinRuntime({ doc: aws.get(dynamoDocuments), s3: aws.get(s3Requests), transfers, table: config.tableName, bucket: config.bucketName, partSize: config.uploadPartBytes, types });
}

/** The registry of the configured runtimes, with this built-in runtime for the types it serves. */
export function registryWith(config: Config, aws: ClientSet, builtin: BuiltinRuntime): RuntimeRegistry {
  const runtimes: ContainerRuntime[] = builtin.types.length > 0 ? [builtin] : [];
  if (config.dockerRuntime === 'engine') runtimes.push(new DockerEngineRuntime(new DockerClient(config.dockerEndpoint!, secretReader(config))));
  if (config.lxcRuntime === 'lxc') runtimes.push(new LxcRuntime({ lxcPath: config.lxcPath!, shareRoot: config.shareRoot }));
  const onHosts = CONTAINER_TYPES.filter((type) => runtimeChoiceOf(config, type) === 'host');
  if (onHosts.length > 0) runtimes.push(new HostInventoryRuntime({ doc: aws.get(dynamoDocuments), table: config.tableName }, onHosts));
  return new RuntimeRegistry(runtimes);
}

export const configuredRuntimes: Adapter<'runtimes'> = (config, aws) => registryWith(config, aws, builtinRuntimeFor(config, aws));
