// Per-file test stack: a table and bucket of the file's own on the shared emulators, the
// configuration and SDK clients pointed at them, and the local server on a free port.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { clients, resetClients, type AwsClients } from '../../lib/aws/clients.ts';
import { config, resetConfig, type Config } from '../../lib/config.ts';
import { provision } from '../../infra/local/provision.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from '../../infra/local/server.ts';
import type { Hono } from 'hono';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { startWorkerHost, type WorkerHost } from '../../infra/local/worker-host.ts';

export interface TestStack {
  url: string;
  app: Hono;
  cfg: Config;
  aws: AwsClients;
  /** Present when the file asked for the worker: the stream poller and the sweep. */
  workers?: WorkerHost;
}

/** Environment overrides for this file's stack; applied before configuration is read. */
export function testEnvironment(extra: Record<string, string> = {}): void {
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
  Object.assign(process.env, extra);
  resetConfig();
  resetClients();
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the tests run. */
export function useTestStack(extraEnv: Record<string, string> = {}, options: { worker?: boolean } = {}): TestStack {
  const stack = {} as TestStack;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    testEnvironment(extraEnv);
    stack.cfg = config();
    stack.aws = clients();
    await provision(stack.cfg, stack.aws);
    stack.app = createLocalApp(await loadFunctions(), () => undefined);
    server = await startServer(stack.app, '127.0.0.1', 0);
    stack.url = server.url;
    if (options.worker) {
      await provisionDemoImage(stack.cfg, stack.aws);
      stack.workers = await startWorkerHost(stack.cfg, stack.aws);
    }
  });
  afterAll(async () => {
    await stack.workers?.stop();
    await server?.close();
  });
  return stack;
}
