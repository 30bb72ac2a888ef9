// The runtime stevedore runs containers with, built once per process from configuration.
import { clients, type AwsClients } from '../aws/clients.ts';
import { config, type Config } from '../config.ts';
import { BuiltinRuntime } from './builtin.ts';

let cached: { runtime: BuiltinRuntime; owner: unknown } | undefined;

export function runtime(): BuiltinRuntime {
  const aws = clients();
  if (cached?.owner !== aws) {
    cached = { runtime: createBuiltinRuntime(config(), aws), owner: aws };
  }
  return cached.runtime;
}

/** A built-in runtime for explicit clients and configuration (provisioning, tests). */
export function createBuiltinRuntime(cfg: Config, aws: AwsClients): BuiltinRuntime {
  return new BuiltinRuntime(aws.doc, aws.s3, cfg.tableName, cfg.bucketName, cfg.uploadPartBytes);
}
