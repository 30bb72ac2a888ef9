// The AWS clients of one process (the SDK's and stevedore's own), each made on first use by its
// factory and kept. A factory lives in the module of its client (lib/aws/s3-requests.ts,
// dynamo-documents.ts, ...) and the adapters import the factories they use: a Lambda bundle then
// holds only the clients of its adapters (a table-only function carries no S3 client).
import type { Config } from '../config.ts';

/** Makes one client from the configuration; `clients` gives the clients it is built on. */
export type ClientFactory<T> = (config: Config, clients: ClientSet) => T;

export interface ClientSet {
  /** The client of this factory, made on the first call and the same one after. */
  get<T>(factory: ClientFactory<T>): T;
  /** Closes the sockets of the clients that were made. */
  destroy(): void;
}

export function createClientSet(config: Config): ClientSet {
  const made = new Map<ClientFactory<unknown>, unknown>();
  const set: ClientSet = {
    get<T>(factory: ClientFactory<T>): T {
      if (!made.has(factory)) made.set(factory, factory(config, set));
      return made.get(factory) as T;
    },
    destroy() {
      const clients = [...made.values()];
      made.clear();
      for (const client of clients) (client as { destroy?: () => void }).destroy?.();
    },
  };
  return set;
}
