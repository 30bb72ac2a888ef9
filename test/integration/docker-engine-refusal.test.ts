// Image imports the Docker Engine fails after answering 200: a refusal reported inside the
// NDJSON stream, and an engine that dies while the stream runs. A stand-in engine on a unix
// socket answers exactly that, which a real engine cannot be made to do on demand.
import { describe, expect, it } from 'vitest';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { DockerClient } from '../../lib/docker/client.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { DockerEngineRuntime } from '../../lib/runtimes/docker-engine.ts';
import { useStandInEngine } from '../support/stand-in-engine.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

const requests: string[] = [];
// The claims of the two imports; the engine tells them apart by the label each image would carry.
const claimOf = (machine: string) => ({ task: 7, owner: `${machine}-12345-0b6a3f3e-8d1c-4c55-9a43-6f1f2b7d9e10:6f1f2b7d-8d1c-4c55-9a43-0b6a3f3e9e10` });

const { socketPath } = useStandInEngine((req, res) => {
  requests.push(`${req.method} ${req.url?.replace(/^\/v[\d.]+/, '')}`);
  req.resume();
  req.on('end', () => {
    if (req.url === '/_ping') return res.writeHead(200, { 'API-Version': '1.41' }).end('OK');
    if (req.url?.includes('/containers/json')) return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    // What the engine may have stored before it failed, found by the import's claim.
    if (req.url?.startsWith(`/v1.41/images/json`) && decodeURIComponent(req.url).includes('-12345-')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ Id: 'sha256:half' }]));
    if (req.url?.includes('/images/create') && decodeURIComponent(req.url).includes('vanishing')) {
      // An engine that dies while it imports: the answer begins, then the connection is gone.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Importing' })}\n`);
      return setTimeout(() => res.socket?.destroy(), 50);
    }
    if (req.url?.includes('/images/create')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`${JSON.stringify({ status: 'Importing' })}\n${JSON.stringify({ errorDetail: { message: 'write /var/lib/docker/tmp: no space left on device' }, error: 'no space left on device' })}\n`);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
});

describe('an image import the engine refuses inside its answer', () => {
  it('fails the import with the engine\'s message, removes an image the engine stored under its claim, and creates no container', async () => {
    const runtime = new DockerEngineRuntime(new DockerClient({ kind: 'unix', socketPath }));
    const spec: ContainerSpec = { type: 'docker', name: 'refused', image: 'import', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
    await expect(runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()), { claim: claimOf('vm') })).rejects.toThrow(
      'The Docker engine refused the root filesystem: write /var/lib/docker/tmp: no space left on device',
    );
    expect(requests).toContain('DELETE /images/sha256%3Ahalf?force=true');
    expect(requests.some((r) => r.startsWith('POST /containers/create'))).toBe(false);
  });
});

describe('an image import the engine stops in the middle of', () => {
  it('fails the import naming the engine, removes an image the engine stored under its claim, and creates no container', async () => {
    requests.length = 0;
    const runtime = new DockerEngineRuntime(new DockerClient({ kind: 'unix', socketPath }));
    const spec: ContainerSpec = { type: 'docker', name: 'vanishing', image: 'import', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
    await expect(runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()), { claim: claimOf('vanishing') })).rejects.toThrow(/^The Docker engine at unix:\/\/\S+ stopped in the middle of the import; nothing was created/);
    expect(requests).toContain('DELETE /images/sha256%3Ahalf?force=true');
    expect(requests.some((r) => r.startsWith('POST /containers/create'))).toBe(false);
  });
});
