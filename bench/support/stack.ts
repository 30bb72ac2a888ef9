// Emulators and configuration for benchmarks: the same embedded stack `npm start` runs,
// with its data in a temporary folder, and a way to time one task in a fresh process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { clients } from '../../lib/aws/clients.ts';
import { config } from '../../lib/config.ts';
import { provision } from '../../infra/local/provision.ts';
import { startEmulators, useEmulators, type EmbeddedStack } from '../../infra/local/stack.ts';

export async function startBenchStack(dataDir: string): Promise<EmbeddedStack> {
  process.env.STEVEDORE_LOG_LEVEL ??= 'ERROR';
  const stack = await startEmulators(dataDir);
  useEmulators(stack);
  await provision(config(), clients());
  return stack;
}

export interface TaskTiming {
  seconds: number;
  peakRssMiB: number;
}

/**
 * Runs one waiting task in a fresh Node process (bench/support/run-task.ts) so that its peak
 * RSS is the worker's own, not the benchmark's.
 */
export async function timeTaskInChild(kind: 'export' | 'import', id: number): Promise<TaskTiming> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run-task.ts'), kind, String(id)], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the ${kind} task ${id} failed in its process (exit ${code}): ${output}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as TaskTiming;
}
