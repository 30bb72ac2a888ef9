// A host worker as a process of its own, started with `npm run worker`'s own command (read from
// package.json, run on this Node), for what only a separate process shows: that it takes the
// tasks of its types from the real stream while the stack's worker leaves them, its start-up
// lines, and how it stops on a signal. Any container type: `hostWorkerEnv(stack, 'lxc')` too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import type { TestStack } from './stack.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface HostWorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal) once it exited. */
  exited: Promise<number | string>;
  /** Resolves once it printed its ready line; rejects with its output when it exits or takes longer than `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code, or 'still running' after `withinMs`. */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | string>;
}

/** The variables that point a host worker at this test stack's table, bucket and emulators, for `hostTypes`. */
export function hostWorkerEnv(stack: TestStack, hostTypes: string): Record<string, string> {
  const { cfg } = stack;
  const env: Record<string, string> = { STEVEDORE_HOST_TYPES: hostTypes, STEVEDORE_TABLE: cfg.tableName, STEVEDORE_BUCKET: cfg.bucketName, AWS_REGION: cfg.region };
  if (cfg.endpoint) env.AWS_ENDPOINT_URL = cfg.endpoint;
  if (cfg.dynamoEndpoint) env.AWS_ENDPOINT_URL_DYNAMODB = cfg.dynamoEndpoint;
  if (cfg.s3Endpoint) env.AWS_ENDPOINT_URL_S3 = cfg.s3Endpoint;
  return env;
}

/** `npm run worker`'s command, with this Node in place of `node`. */
function workerCommand(): string[] {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts.worker!.split(' ');
  if (node !== 'node') throw new Error(`npm run worker no longer starts with node: ${scripts.worker}`);
  return [process.execPath, ...args];
}

const started: HostWorkerProcess[] = [];
const dataDirs: string[] = [];

// Registered when a test file imports this module (a hook added from inside a test would be
// ignored): after the file's tests, every host worker still running is killed and its data dir removed.
afterAll(async () => {
  for (const proc of started.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts a host worker with this process's environment and `env` over it (a variable given as
 * undefined is removed), in a data dir of its own unless `env` names one. Whatever a test leaves
 * running is killed after its file.
 */
export function startHostWorker(env: Record<string, string | undefined>): HostWorkerProcess {
  const dataDir = mkdtempSync(join(tmpdir(), 'stevedore-host-worker-'));
  dataDirs.push(dataDir);
  const merged: Record<string, string | undefined> = { ...process.env, STEVEDORE_DATA_DIR: dataDir, STEVEDORE_LOG_LEVEL: 'WARN', ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const [file, ...args] = workerCommand();
  const child = spawn(file!, args, { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const proc: HostWorkerProcess = {
    child,
    output: () => output,
    exited,
    ready: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!/^stevedore-worker ready: /m.test(output)) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) throw new Error(`the host worker did not become ready:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: (signal = 'SIGTERM', withinMs = 10_000) => {
      child.kill(signal);
      return Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), withinMs))]);
    },
  };
  started.push(proc);
  return proc;
}

/** One host worker at a time, started again after it was killed: what the crash tests restart. */
export interface RestartableHostWorker {
  /** The process running now. */
  current(): HostWorkerProcess;
  /** Starts a new one and resolves, once it is ready, with when it was started. */
  start(): Promise<number>;
}

export function restartableHostWorker(env: () => Record<string, string | undefined>): RestartableHostWorker {
  let worker: HostWorkerProcess | undefined;
  return {
    current: () => worker!,
    async start() {
      const startedAt = Date.now();
      worker = startHostWorker(env());
      // A busy machine takes many seconds to load a process's modules.
      await worker.ready(120_000);
      return startedAt;
    },
  };
}
