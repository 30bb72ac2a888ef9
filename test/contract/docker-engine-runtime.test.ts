// The Docker Engine runtime against the runtime contract, on a private Docker daemon (`.ci/run`
// installs Debian's docker.io; without a dockerd the file fails, saying so).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packTar } from '../../lib/archive/pack.ts';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { DockerEngineRuntime, IMPORT_LABELS, STAGING_PREFIX } from '../../lib/runtimes/docker-engine.ts';
import { isEngineStub, startDockerDaemon } from '../support/docker-daemon.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

const daemon = await startDockerDaemon();
afterAll(() => daemon.stop());
const { client } = daemon;

const runtime = new DockerEngineRuntime(client);

describeContainerRuntime('Docker Engine', async () => ({
    runtime,
    addImage: (name, tag, rootfs) => runtime.putImage(name, tag, packTar(rootfs)),
    addedByRuntime: isEngineStub,
    leftovers: async () => (await client.json<{ Id: string }[]>({ method: 'GET', path: '/images/json' })).map((image) => image.Id).sort(),
    removesAbandonedImports: true,
}));

describe('the Docker Engine runtime after an importing process died', () => {
  const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
  const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${socket}`, ...args]).toString();
  const names = () => docker('ps', '--all', '--format', '{{.Names}}').split('\n').filter(Boolean);
  const labelledImages = (owner: string) => docker('images', '--all', '--quiet', '--filter', `label=${IMPORT_LABELS.owner}=${owner}`).split('\n').filter(Boolean);
  const importAs = (name: string, owner: string, task: number) => {
    const spec: ContainerSpec = { type: 'docker', name, image: 'left', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
    return runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()), { claim: { task, owner } });
  };

  it('removes what a dead claim left half-made and the container of an import being aborted, and never a completed import\'s container or a live claim\'s', async () => {
    // Prepare: imports that completed (under a dead claim and a live one), one whose task still
    // runs under a dead claim, and what an import stopped halfway leaves (a staged container
    // and two untagged images), under a dead claim and a live one.
    await importAs('done-dead', 'dead-1', 1);
    await importAs('done-live', 'live-2', 2);
    await importAs('unfinished', 'dead-3', 3);
    const tarball = join(mkdtempSync(join(tmpdir(), 'sd-left-')), 'rootfs.tar');
    execFileSync('tar', ['-cf', tarball, '-C', '/bin', 'busybox']);
    for (const owner of ['dead-4', 'live-5']) {
      const label = `${IMPORT_LABELS.owner}=${owner}`;
      const imageId = docker('import', '--change', `LABEL ${label}`, tarball).trim();
      docker('create', '--name', `${STAGING_PREFIX}${owner}`, '--label', label, imageId, '/bin/sh');
      docker('import', '--change', `LABEL ${label}`, tarball);
    }
    const listed = (await runtime.list()).map((c) => c.name);
    const namesBefore = names();
    // Act
    const removed = await runtime.removeAbandonedImports({ isGone: (owner) => owner.startsWith('dead-'), unfinished: new Set(['dead-3']) });
    // Assess
    expect(listed.filter((name) => name.startsWith(STAGING_PREFIX))).toEqual([]);
    const gone = ['unfinished', `${STAGING_PREFIX}dead-4`];
    expect(namesBefore).toEqual(expect.arrayContaining([...gone, 'done-dead', 'done-live', `${STAGING_PREFIX}live-5`]));
    expect(names().sort()).toEqual(namesBefore.filter((name) => !gone.includes(name)).sort());
    expect(labelledImages('dead-1')).toHaveLength(1);
    expect(labelledImages('live-2')).toHaveLength(1);
    expect(labelledImages('dead-3')).toEqual([]);
    expect(labelledImages('dead-4')).toEqual([]);
    expect(labelledImages('live-5')).toHaveLength(2);
    expect(removed).toHaveLength(5);
    rmSync(dirname(tarball), { recursive: true, force: true });
  });
});

describe('the Docker Engine runtime and the size of a root filesystem', () => {
  it('never has the engine walk a container\'s files for their size: an export\'s estimate is the size the engine recorded for its image', async () => {
    // Prepare: a client that notes every request asking for sizes
    const sized: string[] = [];
    const noting = Object.create(client, {
      json: { value: (request: Parameters<typeof client.json>[0]) => (request.query?.size && sized.push(request.path), client.json(request)) },
    }) as typeof client;
    const sizing = new DockerEngineRuntime(noting);
    const spec: ContainerSpec = { type: 'docker', name: 'sized', image: 'sized', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
    const { id } = await sizing.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()));
    const { Image: image } = await client.json<{ Image: string }>({ method: 'GET', path: `/containers/${id}/json` });
    const { Size: imageBytes } = await client.json<{ Size: number }>({ method: 'GET', path: `/images/${image}/json` });
    // Act
    const found = await sizing.find('docker', id);
    await sizing.find('docker', 'sized');
    const rootfs = await found!.exportRootfs(new AbortController().signal);
    for await (const _ of rootfs.format === 'tar' ? rootfs.tar : []);
    // Assess
    expect(sized).toEqual([]);
    expect(imageBytes).toBeGreaterThan(0);
    expect(await rootfs.estimatedBytes).toBe(imageBytes);
  });
});
