// Per-file test stack: a table and bucket of the file's own on the shared emulators, the
// services composed for them, and the local server on a free port (./stack-start.ts, which the
// soak uses without vitest).
import { afterAll, beforeAll, inject } from 'vitest';
import type { Config } from '../../lib/config.ts';
import { stackEnvironment, startStack, type StackOptions, type TestStack } from './stack-start.ts';

export type { TestStack } from './stack-start.ts';

/** The configuration of a stack of this file's own: its table and bucket, the shared emulators, `extra`. */
export function testEnvironment(extra: Record<string, string> = {}): Config {
  return stackEnvironment({ dynamo: inject('dynamoEndpoint'), s3: inject('s3Endpoint') }, extra);
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the tests run. */
export function useTestStack(extraEnv: Record<string, string> = {}, options: StackOptions = {}): TestStack {
  const stack = {} as TestStack;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startStack(testEnvironment(extraEnv), options);
    stop = started.stop;
    const { stop: _, ...fields } = started;
    Object.assign(stack, fields);
  });
  afterAll(async () => {
    await stop?.();
  });
  return stack;
}
