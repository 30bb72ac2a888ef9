// The Docker Engine runtime against the runtime contract, on a private Docker daemon (`.ci/run`
// installs Debian's docker.io; without a dockerd the file fails, saying so).
import { afterAll } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { isEngineStub, startDockerDaemon } from '../support/docker-daemon.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';

const daemon = await startDockerDaemon();
afterAll(() => daemon.stop());
const { client } = daemon;

const runtime = new DockerEngineRuntime(client);

describeContainerRuntime('Docker Engine', async () => ({
    runtime,
    addImage: (name, tag, rootfs) => runtime.putImage(name, tag, packTar(rootfs)),
    addedByRuntime: isEngineStub,
    leftovers: async () => (await client.json<{ Id: string }[]>({ method: 'GET', path: '/images/json' })).map((image) => image.Id).sort(),
}));
