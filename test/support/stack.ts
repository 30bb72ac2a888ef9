// Per-file test stack: a table and bucket of the file's own on the shared emulators, the
// services composed for them, and the local server on a free port.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import type { AwsClients } from '../../lib/aws/clients.ts';
import { loadConfig, type Config } from '../../lib/config.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { faultyRuntime, type FaultyRuntime } from './faulty-runtime.ts';
import { provision } from '../../infra/local/provision.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from '../../infra/local/server.ts';
import type { Hono } from 'hono';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { startWorkerHost, type WorkerHost } from '../../infra/local/worker-host.ts';

export interface TestStack {
  url: string;
  app: Hono;
  services: ComposedServices;
  cfg: Config;
  aws: AwsClients;
  /** Present when the file asked for the worker: the stream poller and the sweep. */
  workers?: WorkerHost;
  /** Present when the file asked for faults: the runtime every part of the stack uses injects them. */
  faults?: FaultyRuntime;
}

/** The configuration of a stack of this file's own: its table and bucket, the shared emulators, `extra`. */
export function testEnvironment(extra: Record<string, string> = {}): Config {
  const id = randomBytes(4).toString('hex');
  const dynamo = inject('dynamoEndpoint');
  const s3 = inject('s3Endpoint');
  if (dynamo) process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo;
  if (s3) {
    process.env.AWS_ENDPOINT_URL_S3 = s3;
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

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the tests run. */
export function useTestStack(extraEnv: Record<string, string> = {}, options: { worker?: boolean; faults?: boolean; timedSweep?: boolean } = {}): TestStack {
  const stack = {} as TestStack;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    stack.services = createServices(testEnvironment(extraEnv));
    if (options.faults) {
      stack.faults = faultyRuntime(stack.services.builtinRuntime);
      // The same services, but every container comes from the faulty runtime.
      stack.services = Object.create(stack.services, { runtimes: { value: new RuntimeRegistry([stack.faults.runtime]) } }) as ComposedServices;
    }
    stack.cfg = stack.services.config;
    stack.aws = stack.services.aws;
    await provision(stack.cfg, stack.aws);
    stack.app = createLocalApp(await loadFunctions(), stack.services);
    server = await startServer(stack.app, '127.0.0.1', 0);
    stack.url = server.url;
    if (options.worker) {
      await provisionDemoImage(stack.services.builtinRuntime);
      // A file that runs the sweep itself turns the host's timed one off, which could take a task first.
      stack.workers = await startWorkerHost(stack.services, options.timedSweep === false ? { sweepEveryMs: 2 ** 31 - 1 } : {});
    }
  });
  afterAll(async () => {
    await stack.workers?.stop();
    await server?.close();
    stack.services?.aws.destroy();
  });
  return stack;
}
