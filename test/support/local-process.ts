// A real `npm start` (node --import tsx infra/local/main.ts) as a child process with its own
// data dir and a free port, for what only a whole process shows: signals, crashes, start-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface LocalProcess {
  child: ChildProcess;
  dataDir: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal) once it exited. */
  exited: Promise<number | string>;
}

const spawned: LocalProcess[] = [];
const ownDataDirs: string[] = [];

// Registered when a test file imports this module (a hook added from inside a test would be
// ignored): after the file's tests, every stevedore still running is killed, and the data dirs
// made here are removed.
afterAll(async () => {
  for (const proc of spawned.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  }
  // Its emulators leave when it does; a last write of theirs may race the removal, hence the retries.
  for (const dir of ownDataDirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

/**
 * Starts stevedore. `underShell` runs it the way `npm start` does, as the child of a shell
 * (which prints `pid <stevedore's pid>` first), so that a test can kill the parent alone.
 * `ownGroup` makes it the leader of a process group of its own, with its emulators in it, so
 * that a test can kill every process of it at once (`process.kill(-pid, 'SIGKILL')`).
 */
export function spawnStevedore(env: Record<string, string> = {}, options: { dataDir?: string; underShell?: boolean; ownGroup?: boolean } = {}): LocalProcess {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'stevedore-proc-'));
  if (!options.dataDir) ownDataDirs.push(dataDir);
  const command = [process.execPath, '--import', 'tsx', 'infra/local/main.ts'];
  const [file, ...args] = options.underShell ? ['/bin/sh', '-c', '"$@" & echo "pid $!"; wait', 'sh', ...command] : command;
  const child = spawn(file!, args, {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', STEVEDORE_DATA_DIR: dataDir, STEVEDORE_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownGroup ?? false,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const proc = { child, dataDir, output: () => output, exited };
  spawned.push(proc);
  return proc;
}

export interface ReadyStevedore extends LocalProcess {
  url: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
}

/** Waits for the ready line and answers the API's base URL and the emulators' endpoints. */
export async function waitUntilReady(proc: LocalProcess, timeoutMs = 45_000): Promise<ReadyStevedore> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = proc.output();
    const ready = /stevedore ready: .* on (http:\/\/\S+)\/api\/v1/.exec(text);
    if (ready) {
      const dynamo = /DynamoDB Local on (\S+)/.exec(text)![1]!;
      const s3 = /s3rver on (\S+)/.exec(text)![1]!;
      return { ...proc, url: ready[1]!, dynamoEndpoint: dynamo, s3Endpoint: s3 };
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`stevedore did not become ready:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the exit, or with 'still running' after `ms`. */
export function exitWithin(proc: LocalProcess, ms: number): Promise<number | string> {
  return Promise.race([proc.exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms))]);
}

export interface StevedoreStarter {
  /** Starts one more stevedore (on `dataDir`, or a new one) and waits until it is ready. */
  start(dataDir?: string): Promise<ReadyStevedore>;
  /** Ends each one started that still runs: for a test file's afterAll. */
  stopAll(): Promise<void>;
}

/** Stevedores started alike, with `env`, each ended by `endSignal` once the tests are done. */
export function stevedoreStarter(env: Record<string, string>, options: { ownGroup?: boolean; readyWithinMs?: number; endSignal: NodeJS.Signals }): StevedoreStarter {
  const started: LocalProcess[] = [];
  return {
    async start(dataDir) {
      const proc = spawnStevedore(env, { dataDir, ownGroup: options.ownGroup });
      started.push(proc);
      return waitUntilReady(proc, options.readyWithinMs);
    },
    async stopAll() {
      for (const proc of started.splice(0)) {
        if (proc.child.exitCode === null && proc.child.signalCode === null) {
          proc.child.kill(options.endSignal);
          await proc.exited;
        }
      }
    },
  };
}
