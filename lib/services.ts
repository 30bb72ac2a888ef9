// The composition root of a whole stevedore in one process (`npm start`, the tests, the
// benchmarks): every port with its adapter, sharing one set of SDK clients, and the built-in
// runtime itself, through which the demo image is provisioned. A Lambda function composes
// only the adapters its module names instead (lib/compose/compose.ts).
import { createClients, type AwsClients } from './aws/clients.ts';
import { s3Transfers } from './aws/s3-transfers.ts';
import { composeServices } from './compose/compose.ts';
import { dynamoAuth } from './compose/dynamo-auth.ts';
import { dynamoEvents } from './compose/dynamo-events.ts';
import { dynamoTasks } from './compose/dynamo-tasks.ts';
import { builtinRuntimeFor, registryWith } from './compose/runtimes.ts';
import { s3StorageWithTransfers } from './compose/transfers.ts';
import type { Config } from './config.ts';
import { lazyProperties, once } from './once.ts';
import type { Services } from './ports.ts';
import type { BuiltinRuntime } from './runtimes/builtin.ts';

export interface ComposedServices extends Services {
  readonly aws: AwsClients;
  readonly builtinRuntime: BuiltinRuntime;
}

export function createServices(config: Config, aws: AwsClients = createClients(config)): ComposedServices {
  const builtinRuntime = once(() => builtinRuntimeFor(config, aws, aws.get(s3Transfers)));
  const services = composeServices(config, aws, { tasks: dynamoTasks, events: dynamoEvents, storage: s3StorageWithTransfers, auth: dynamoAuth, runtimes: () => registryWith(config, aws, builtinRuntime()) });
  return lazyProperties<ComposedServices>({
    config: () => config,
    aws: () => aws,
    tasks: () => services.tasks,
    events: () => services.events,
    storage: () => services.storage,
    runtimes: () => services.runtimes,
    auth: () => services.auth,
    builtinRuntime,
  });
}
