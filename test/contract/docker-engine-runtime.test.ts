// The Docker Engine runtime against the runtime contract, on a private Docker daemon. The file
// skips, saying why, only when the daemon cannot start on this machine (`.ci/run` installs it).
import { afterAll, describe, it } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { ndjsonLines } from '../../lib/docker/client.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { isEngineStub, startDockerDaemon } from '../support/docker-daemon.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';

const started = await startDockerDaemon().then(
  (daemon) => ({ daemon, why: undefined }),
  (err: Error) => ({ daemon: undefined, why: err.message }),
);
afterAll(async () => started.daemon?.stop());

if (started.daemon) {
  const { client } = started.daemon;
  describeContainerRuntime('Docker Engine', async () => ({
    runtime: new DockerEngineRuntime(client),
    addImage: async (name, tag, rootfs) => {
      const answer = await client.open({ method: 'POST', path: '/images/create', query: { fromSrc: '-', repo: name, tag }, body: packTar(rootfs) });
      for await (const line of ndjsonLines(answer)) if (line.error) throw new Error(String(line.error));
    },
    addedByRuntime: isEngineStub,
    leftovers: async () => (await client.json<{ Id: string }[]>({ method: 'GET', path: '/images/json' })).map((image) => image.Id).sort(),
  }));
} else {
  console.warn(`the Docker Engine runtime's contract is skipped: ${started.why}`);
  describe.skip('the Docker Engine runtime meets the runtime contract', () => it('needs a Docker daemon', () => undefined));
}
