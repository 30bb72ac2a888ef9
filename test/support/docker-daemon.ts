// A private Docker daemon for the engine tests: its own socket, data root, exec root and pid
// file under a temporary directory, so it coexists with a system daemon and leaves nothing
// behind. vfs storage and no networking need no kernel features a CI machine may lack.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerClient } from '../../lib/docker/client.ts';
import type { DockerEndpoint } from '../../lib/docker/endpoint.ts';

export interface DockerDaemon {
  endpoint: DockerEndpoint;
  client: DockerClient;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 30_000;

/** What the engine puts into every container's root filesystem: mount points and the files it manages. */
const ENGINE_STUBS = new Set(['.dockerenv', 'dev', 'proc', 'sys', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab']);
export const isEngineStub = (name: string) => ENGINE_STUBS.has(name) || name.startsWith('dev/');

export interface DaemonOptions {
  /** Listen on 127.0.0.1:port too, requiring TLS client certificates (server files from tls-certs.ts). */
  tls?: { port: number; serverDir: string };
  /** The daemon's directory (socket, data root), which its stop then leaves: a daemon started again on it finds its containers and images. */
  dir?: string;
}

export async function startDockerDaemon(options: DaemonOptions = {}): Promise<DockerDaemon> {
  // Short: the socket's path must stay under the 108 bytes of a unix socket address.
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sd-'));
  const removeDir = () => options.dir === undefined && rmSync(dir, { recursive: true, force: true });
  const socketPath = join(dir, 'docker.sock');
  const args = ['--storage-driver=vfs', '--iptables=false', '--ip6tables=false', '--bridge=none', `--data-root=${join(dir, 'root')}`, `--exec-root=${join(dir, 'exec')}`, `--pidfile=${join(dir, 'pid')}`, `--host=unix://${socketPath}`];
  if (options.tls) {
    const file = (name: string) => join(options.tls!.serverDir, name);
    args.push(`--host=tcp://127.0.0.1:${options.tls.port}`, '--tlsverify', `--tlscacert=${file('ca.pem')}`, `--tlscert=${file('server-cert.pem')}`, `--tlskey=${file('server-key.pem')}`);
  }
  const daemon: ChildProcess = spawn('dockerd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  daemon.once('error', (err) => (spawnError = err));
  const endpoint: DockerEndpoint = { kind: 'unix', socketPath };
  const client = new DockerClient(endpoint);
  const stop = async () => {
    if (spawnError) return void removeDir();
    daemon.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGKILL');
      await exited;
    }
    removeDir();
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (existsSync(socketPath)) {
      try {
        await client.version();
        return { endpoint, client, stop };
      } catch {
        // not answering yet
      }
    }
    if (spawnError || daemon.exitCode !== null || Date.now() > deadline) {
      await stop();
      // The engine tests need a daemon: say how to get one rather than skip them.
      throw new Error(`dockerd did not start (.ci/run installs Debian's docker.io): ${spawnError?.message ?? log.trim().split('\n').slice(-5).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
