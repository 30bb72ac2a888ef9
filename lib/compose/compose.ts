// Composing services from adapters: each port a function needs comes from the adapter it
// names, built on first use. A function lists its adapters in its module, so its bundle holds
// only their code and AWS clients (a table-only function carries no S3 client).
import { createClientSet, type ClientSet } from '../aws/client-set.ts';
import { loadConfig, type Config } from '../config.ts';
import { setLogLevel } from '../log.ts';
import { lazyProperties, once } from '../once.ts';
import type { Services } from '../ports.ts';

export type PortName = Exclude<keyof Services, 'config'>;

/** Builds one port's adapter from the configuration and the AWS clients it touches. */
export type Adapter<P extends PortName> = (config: Config, aws: ClientSet) => Services[P];

export type Adapters<K extends PortName = PortName> = { [P in K]: Adapter<P> };

/** The services a function composed of these adapters receives. */
export type ServicesWith<K extends PortName> = Pick<Services, 'config' | K>;

export function composeServices<K extends PortName>(config: Config, aws: ClientSet, adapters: Adapters<K>): ServicesWith<K> {
  setLogLevel(config.logLevel);
  const makers: Record<string, () => unknown> = { config: () => config };
  for (const port of Object.keys(adapters) as K[]) makers[port] = () => adapters[port](config, aws);
  return lazyProperties(makers) as ServicesWith<K>;
}

/**
 * The services of a Lambda function's process: composed from its environment on the first
 * request and kept for the warm invocations after it.
 */
export function servicesFromEnvironment<K extends PortName>(adapters: Adapters<K>): () => ServicesWith<K> {
  return once(() => {
    // A deployed function needs a login unless its environment says otherwise: the stack sets
    // STEVEDORE_AUTH itself, and one that somehow did not must not serve everyone.
    const config = loadConfig({ ...process.env, STEVEDORE_AUTH: process.env.STEVEDORE_AUTH?.trim() || 'required' });
    return composeServices(config, createClientSet(config), adapters);
  });
}
