// Emulators and configuration for benchmarks: the same embedded stack `npm start` runs,
// with its data in a temporary folder, and a way to time one task as the deployed worker runs it.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleModules, WORKER_MODULE } from '../../infra/aws/bundle.ts';
import { WORKER_ENVIRONMENT } from '../../infra/aws/task-worker.ts';
import type { ContainerType } from '../../lib/container-type.ts';
import { createExportTask } from '../../lib/tasks/export-request.ts';
import type { TaskKind } from '../../lib/tasks/model.ts';
import { shareFileSize, timingRow } from './container.ts';
import { cpuSince, stackCpuSnapshot, type StackProcess } from './cpu.ts';
import { taskKey } from '../../lib/tasks/dynamo-task-store.ts';
import { loadConfig } from '../../lib/config.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { provision } from '../../infra/local/provision.ts';
import { startEmulators, useEmulators, type EmbeddedStack } from '../../infra/local/stack.ts';

export interface BenchStack {
  stack: EmbeddedStack;
  services: ComposedServices;
}

export async function startBenchStack(dataDir: string): Promise<BenchStack> {
  process.env.STEVEDORE_LOG_LEVEL ??= 'ERROR';
  const stack = await startEmulators(dataDir);
  useEmulators(stack);
  const services = createServices(loadConfig());
  await provision(services.config, services.aws);
  return { stack, services };
}

/** Our export of one container to .tgz and to .tar, each timed in the deployed worker bundle: a table row each. */
export async function timeOurExports(
  services: ComposedServices,
  type: ContainerType,
  id: string,
  bytes: number,
  pathStem = 'test/bench',
): Promise<{ rows: string[][]; seconds: { tgz: number; tar: number }; timings: Partial<Record<'tgz' | 'tar', TaskTiming>>; outputBytes: { tgz: number; tar: number } }> {
  const rows: string[][] = [];
  const seconds = { tgz: 0, tar: 0 };
  const outputBytes = { tgz: 0, tar: 0 };
  const timings: Partial<Record<'tgz' | 'tar', TaskTiming>> = {};
  for (const format of ['tgz', 'tar'] as const) {
    const path = `${pathStem}.${format}`;
    const task = await createExportTask(services, type, id, { path, compress: format === 'tgz', force: true });
    console.log(`exporting to ${path} ...`);
    const timing = await timeTaskInChild(services, 'export', task.id);
    seconds[format] = timing.seconds;
    timings[format] = timing;
    outputBytes[format] = await shareFileSize(services, path);
    rows.push(timingRow(`stevedore export .${format}`, bytes, timing, outputBytes[format]));
  }
  return { rows, seconds, timings, outputBytes };
}

export interface TaskTiming {
  seconds: number;
  peakRssMiB: number;
  /** The worker process's CPU seconds during the task by thread name (MainThread, libuv-worker, V8Worker, ...). */
  threadSeconds?: Record<string, number>;
  /** CPU seconds the stack's other processes spent during the task. */
  stackSeconds?: Map<StackProcess, number>;
  /** The worker's V8 profile, when one was asked for, and the bundle it profiled. */
  cpuProfile?: { file: string; bundle: string };
  /** Where the worker's memory went, sampled (MiB): see invoke-worker.mjs. */
  memory?: WorkerMemory;
}

/** process.memoryUsage() in MiB. */
export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface WorkerMemory {
  /** Once the bundle is loaded, before the handler runs: Node's baseline. */
  loaded: MemoryUsage;
  peaks: MemoryUsage;
  atPeakRss: MemoryUsage;
}

export interface ChildOptions {
  /** Write a V8 CPU profile of the worker into this directory. */
  cpuProfileDir?: string;
}

/**
 * Runs one waiting task the way Lambda would: the worker's deployed bundle with its Node options and environment,
 * in a fresh process, invoked with the stream record of the task's INSERT. The peak RSS is the worker's
 * own, not the benchmark's.
 */
export async function timeTaskInChild({ config, aws, tasks }: ComposedServices, kind: TaskKind, id: number, options: ChildOptions = {}): Promise<TaskTiming> {
  const worker = bundleModules([WORKER_MODULE]).get(WORKER_MODULE)!;
  const key = taskKey(kind, id);
  const item = await aws.dynamo.send(new GetItemCommand({ TableName: config.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
  const event = {
    Records: [
      {
        eventID: `bench-${kind}-${id}`,
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: config.region,
        dynamodb: { Keys: { pk: item.Item!.pk, sk: item.Item!.sk }, NewImage: item.Item, SequenceNumber: String(id), SizeBytes: 1, StreamViewType: 'NEW_IMAGE' },
      },
    ],
  };
  const eventFile = join(mkdtempSync(join(tmpdir(), 'stevedore-bench-event-')), 'event.json');
  writeFileSync(eventFile, JSON.stringify(event));
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const stackBefore = stackCpuSnapshot();
  // Extra options for trying a setting before it goes into WORKER_NODE_OPTIONS.
  const trying = process.env.STEVEDORE_BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const { NODE_OPTIONS: _, ...mallocSettings } = WORKER_ENVIRONMENT;
  const child = spawn(process.execPath, [...WORKER_ENVIRONMENT.NODE_OPTIONS.split(' '), ...trying, ...profiling, join(import.meta.dirname, 'invoke-worker.mjs'), worker.file, eventFile], {
    env: { ...process.env, ...mallocSettings },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const stackSeconds = cpuSince(stackBefore);
  rmSync(dirname(eventFile), { recursive: true, force: true });
  const task = await tasks.get(kind, id);
  if (code !== 0 || task?.state !== 'completed') {
    throw new Error(`the ${kind} task ${id} did not complete (exit ${code}, ${task?.state}: ${task?.error ?? ''}): ${output}`);
  }
  const timing = { ...(JSON.parse(output.trim().split('\n').at(-1)!) as TaskTiming), stackSeconds };
  if (options.cpuProfileDir) {
    const file = readdirSync(options.cpuProfileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) timing.cpuProfile = { file: join(options.cpuProfileDir, file), bundle: worker.file };
  }
  return timing;
}
