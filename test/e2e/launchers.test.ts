// The package's commands as a shell runs them (bin/stevedore, bin/stevedore-worker through
// bin/launch.mjs): how they end when their reader goes away or their process is killed.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

const NODE = join('node_modules', '.bin', 'node');

/** The pids of `parent`'s children (the launched entry). */
function childrenOf(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none yet
  }
}

// An AWS endpoint that accepts connections and never answers: the worker waits on it.
const silentSockets: Socket[] = [];
const silent = createServer((socket) => silentSockets.push(socket));
afterAll(() => {
  silentSockets.forEach((s) => s.destroy());
  silent.close();
});

describe('the command launchers', () => {
  it('end the client quietly with 0 when its output\'s reader has gone (stevedore --help | head -0)', async () => {
    const child = spawn(NODE, ['bin/stevedore', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('exit 128 + the signal\'s number when what they run is killed, as a shell reports it', async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'stevedore-launch-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const env = { ...process.env, STEVEDORE_HOST_TYPES: 'lxc', STEVEDORE_DATA_DIR: dataDir, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' };
    const launcher = spawn(NODE, ['bin/stevedore-worker'], { env, stdio: 'ignore' });
    let worker: number | undefined;
    while (worker === undefined && launcher.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
      worker = childrenOf(launcher.pid!)[0];
    }
    process.kill(worker!, 'SIGKILL');
    const [code] = (await once(launcher, 'exit')) as [number | null];
    expect(code).toBe(137);
  });
});
