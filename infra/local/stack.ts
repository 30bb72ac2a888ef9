// The embedded stack: emulators (unless AWS_ENDPOINT_URL points elsewhere) wired into this
// process's environment, so the configuration read after it finds them.
import { join } from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { checkJava } from './prerequisites.ts';
import { S3RVER_CREDENTIALS, startDynamoLocal, startS3rver, type Emulator } from './emulators.ts';

export interface EmbeddedStack {
  emulators: Emulator[];
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and s3rver with their data under `dataDir` (persisting across
 * restarts), or nothing when AWS_ENDPOINT_URL is set (LocalStack or another endpoint).
 * When one fails to start, or `signal` aborts the start, the other is stopped too: a
 * half-started stack leaves no emulator behind.
 */
export async function startEmulators(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<EmbeddedStack> {
  if (loadConfig(env).endpoint) return { emulators: [], stop: async () => undefined };
  checkJava(env);
  const started = await Promise.allSettled([
    startDynamoLocal({ dataDir: dataDir && join(dataDir, 'dynamodb'), signal }),
    startS3rver({ dataDir: s3DataDir(dataDir), signal }),
  ]);
  const emulators = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(emulators.map((e) => e.stop()));
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { emulators, stop };
}

/** Where s3rver keeps the bucket's objects (and its multipart upload parts). */
export function s3DataDir(dataDir: string | undefined): string {
  return join(dataDir ?? join(process.cwd(), '.data'), 's3');
}

/** Points the environment (and so the configuration read from it next) at the given emulators. */
export function useEmulators(stack: EmbeddedStack, env: NodeJS.ProcessEnv = process.env): void {
  const [dynamo, s3] = stack.emulators;
  if (!dynamo || !s3) return;
  env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  // The emulators' own credentials: DynamoDB Local (-sharedDb) takes any, s3rver only these.
  env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
}
