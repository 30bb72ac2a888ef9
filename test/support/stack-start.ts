// A stack of its own on running emulators, without vitest: a table and a bucket named for it,
// the services composed for them, the local server on a free port and, when asked, the worker
// host. test/support/stack.ts wraps it in a test file's hooks; the soak (bench/soak.ts) starts
// one per case on emulators of its own.
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { AwsClients } from '../../lib/aws/clients.ts';
import { loadConfig, type Config } from '../../lib/config.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { provision } from '../../infra/local/provision.ts';
import { createLocalApp, loadFunctions, startServer } from '../../infra/local/server.ts';
import { startWorkerHost, type WorkerHost } from '../../infra/local/worker-host.ts';
import { faultyRuntime, type FaultyRuntime } from './faulty-runtime.ts';

export interface TestStack {
  url: string;
  app: Hono;
  services: ComposedServices;
  cfg: Config;
  aws: AwsClients;
  /** Present when the stack was asked for the worker: the stream poller and the sweep. */
  workers?: WorkerHost;
  /** Present when the stack was asked for faults: the runtime every part of the stack uses injects them. */
  faults?: FaultyRuntime;
}

export interface StackOptions {
  worker?: boolean;
  faults?: boolean;
  timedSweep?: boolean;
}

/** The emulators a stack talks to; empty fields leave the endpoints the environment names. */
export interface Endpoints {
  dynamo?: string;
  s3?: string;
}

/** The configuration of a stack of its own: its table and bucket on `endpoints`, then `extra`. */
export function stackEnvironment(endpoints: Endpoints, extra: Record<string, string> = {}): Config {
  const id = randomBytes(4).toString('hex');
  if (endpoints.dynamo) process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamo;
  if (endpoints.s3) {
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  }
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.STEVEDORE_TABLE = `stevedore-test-${id}`;
  process.env.STEVEDORE_BUCKET = `stevedore-test-${id}`;
  process.env.STEVEDORE_LOG_LEVEL = 'CRITICAL';
  // What `npm start` on loopback does; a Lambda entry point would otherwise need a session.
  process.env.STEVEDORE_AUTH = 'anonymous';
  Object.assign(process.env, extra);
  return loadConfig();
}

/** Provisions the stack's table and bucket and serves them; `stop` ends what it started. */
export async function startStack(config: Config, options: StackOptions = {}): Promise<TestStack & { stop(): Promise<void> }> {
  const stack = {} as TestStack;
  stack.services = createServices(config);
  if (options.faults) {
    stack.faults = faultyRuntime(stack.services.builtinRuntime);
    // The same services, but every container comes from the faulty runtime.
    stack.services = Object.create(stack.services, { runtimes: { value: new RuntimeRegistry([stack.faults.runtime]) } }) as ComposedServices;
  }
  stack.cfg = stack.services.config;
  stack.aws = stack.services.aws;
  await provision(stack.cfg, stack.aws);
  stack.app = createLocalApp(await loadFunctions(), stack.services);
  const server = await startServer(stack.app, '127.0.0.1', 0);
  stack.url = server.url;
  const stop = async () => {
    await stack.workers?.stop();
    await server.close();
    stack.services.aws.destroy();
  };
  try {
    if (options.worker) {
      await provisionDemoImage(stack.services.builtinRuntime);
      // A file that runs the sweep itself turns the host's timed one off, which could take a task first.
      stack.workers = await startWorkerHost(stack.services, options.timedSweep === false ? { sweepEveryMs: 2 ** 31 - 1 } : {});
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return Object.assign(stack, { stop });
}
