// The load case's sources on real engines: a container of a private Docker daemon (served as
// `docker` by the Docker Engine runtime) and one that `lxc-create -t busybox` made in an
// LXC_PATH of its own (served as `lxc` by the LXC runtime). What each export must hold is read
// by the engine's own tools (`docker export`, GNU tar over the LXC root filesystem), not by
// stevedore. Nothing here uses vitest, so the soak starts the same hosts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DockerEngineRuntime } from '../../../lib/runtimes/docker-engine.ts';
import { buildTar, plainRootfsEntries } from '../../support/archives.ts';
import { startDockerDaemon } from '../../support/docker-daemon.ts';
import { snapshotTar } from '../../support/tar-snapshot.ts';
import type { LoadSource } from './load-run.ts';

export interface EngineLoadHosts {
  /** The stack settings that serve `docker` from the daemon and `lxc` from the LXC_PATH. */
  env: Record<string, string>;
  /** A container in each engine, made once, for the load to export. */
  sources(): Promise<LoadSource[]>;
  stop(): Promise<void>;
}

const MAX_BUFFER = 256 * 1024 * 1024;

export async function startEngineLoadHosts(): Promise<EngineLoadHosts> {
  const daemon = await startDockerDaemon();
  const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-load-'));
  const host = daemon.endpoint.kind === 'unix' ? `unix://${daemon.endpoint.socketPath}` : '';
  const docker = (...args: string[]) => execFileSync('docker', ['-H', host, ...args], { maxBuffer: MAX_BUFFER });
  return {
    env: { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: host, STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: lxcPath },
    async sources() {
      await new DockerEngineRuntime(daemon.client).putImage('loadbox', 'v1', Readable.from([await buildTar(plainRootfsEntries())]));
      const dockerId = docker('create', '--name', 'source-docker', 'loadbox:v1', '/bin/sh').toString().trim();
      execFileSync('lxc-create', ['-P', lxcPath, '-n', 'source-lxc', '-t', 'busybox'], { stdio: 'ignore' });
      const lxcRootfs = join(lxcPath, 'source-lxc', 'rootfs');
      return [
        { type: 'docker', id: dockerId, files: () => snapshotTar(docker('export', dockerId)) },
        {
          type: 'lxc',
          id: 'source-lxc',
          files: async () => (await snapshotTar(execFileSync('tar', ['-C', lxcRootfs, '--numeric-owner', '-cf', '-', '.'], { maxBuffer: MAX_BUFFER }))).filter((e) => e.name !== ''),
        },
      ];
    },
    async stop() {
      await daemon.stop();
      rmSync(lxcPath, { recursive: true, force: true });
    },
  };
}
