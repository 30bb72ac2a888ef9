// The composition root: the one place that turns configuration into the adapters behind the
// domain's ports (the task store, the share storage, the container runtimes). Everything else
// receives these services and never builds an adapter or reads the environment itself.
// Each service is built on first use, so a function only ever makes the adapters and SDK
// clients its work touches.
import { createClients, type AwsClients } from './aws/clients.ts';
import { loadConfig, type Config } from './config.ts';
import type { ContainerType } from './container/model.ts';
import { setLogLevel } from './log.ts';
import { lazyProperties, once } from './once.ts';
import type { Services } from './ports.ts';
import { BuiltinRuntime } from './runtimes/builtin.ts';
import { RuntimeRegistry } from './runtimes/registry.ts';
import { S3ShareStorage } from './share/s3-share-storage.ts';
import { DynamoTaskStore } from './tasks/dynamo-task-store.ts';

/** The built-in runtime's own services: the demo image is provisioned through it. */
export interface ComposedServices extends Services {
  readonly aws: AwsClients;
  readonly builtinRuntime: BuiltinRuntime;
}

export function createServices(config: Config, aws: AwsClients = createClients(config)): ComposedServices {
  setLogLevel(config.logLevel);
  const builtinRuntime = once(() => {
    const types: ContainerType[] = [];
    if (config.dockerRuntime === 'builtin') types.push('docker');
    if (config.lxcRuntime === 'builtin') types.push('lxc');
    return new BuiltinRuntime({ doc: aws.doc, s3: aws.s3, table: config.tableName, bucket: config.bucketName, partSize: config.uploadPartBytes, types });
  });
  return lazyProperties<ComposedServices>({
    config: () => config,
    aws: () => aws,
    tasks: () => new DynamoTaskStore(aws.doc, config.tableName, config.taskLeaseMs),
    storage: () => new S3ShareStorage(aws.s3, config.bucketName, config.uploadPartBytes),
    runtimes: () => new RuntimeRegistry([builtinRuntime()]),
    builtinRuntime,
  });
}

/**
 * The services of a Lambda function's process, composed from its environment on the first
 * request and kept for the warm invocations after it.
 */
export const servicesFromEnvironment: () => Services = once(() => createServices(loadConfig()));
