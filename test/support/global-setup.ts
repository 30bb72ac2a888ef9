// Starts the emulators once for the whole run (in memory / in a temporary folder), unless
// AWS_ENDPOINT_URL points the suite at LocalStack or another endpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal, startS3rver } from '../../infra/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    /** Where the suite's s3rver keeps its files ('' against another endpoint). */
    s3DataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.AWS_ENDPOINT_URL) {
    project.provide('dynamoEndpoint', '');
    project.provide('s3Endpoint', '');
    project.provide('s3DataDir', '');
    return async () => undefined;
  }
  const s3Dir = mkdtempSync(join(tmpdir(), 'stevedore-test-s3-'));
  const [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3rver({ dataDir: s3Dir })]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('s3DataDir', s3Dir);
  return async () => {
    await Promise.all([dynamo.stop(), s3.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  };
}
