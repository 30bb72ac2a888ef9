// The Docker Engine runtime against the runtime contract, on a private Docker daemon (`.ci/run`
// installs Debian's docker.io; without a dockerd the file fails, saying so).
import { afterAll } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { ndjsonLines } from '../../lib/docker/client.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { isEngineStub, startDockerDaemon } from '../support/docker-daemon.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';

const daemon = await startDockerDaemon();
afterAll(() => daemon.stop());
const { client } = daemon;

describeContainerRuntime('Docker Engine', async () => ({
    runtime: new DockerEngineRuntime(client),
    addImage: async (name, tag, rootfs) => {
      const answer = await client.open({ method: 'POST', path: '/images/create', query: { fromSrc: '-', repo: name, tag }, body: packTar(rootfs) });
      for await (const line of ndjsonLines(answer)) if (line.error) throw new Error(String(line.error));
    },
    addedByRuntime: isEngineStub,
    leftovers: async () => (await client.json<{ Id: string }[]>({ method: 'GET', path: '/images/json' })).map((image) => image.Id).sort(),
}));
