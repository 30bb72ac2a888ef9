// A kept-alive connection the engine closes just as the next request goes out on it: a stand-in
// engine on a unix socket drops the second request of every connection without an answer, which
// a real engine does only by chance (its idle timeout meeting our next request).
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DockerClient } from '../../lib/docker/client.ts';
import { Unavailable } from '../../lib/errors.ts';
import { useStandInEngine } from '../support/stand-in-engine.ts';

const received: string[] = [];
const requestsOn = new WeakMap<Socket, number>();
const { socketPath } = useStandInEngine((req, res) => {
  const count = (requestsOn.get(req.socket) ?? 0) + 1;
  requestsOn.set(req.socket, count);
  received.push(`${req.method} ${req.url?.replace(/^\/v[\d.]+/, '')}`);
  req.resume();
  req.on('end', () => {
    if (req.url === '/_ping') return res.writeHead(200, { 'API-Version': '1.41' }).end('OK');
    if (count > 1) return req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
});

describe('a request on a connection the engine has just closed', () => {
  it('sends a GET again, once, on a new connection', async () => {
    // Prepare
    const client = new DockerClient({ kind: 'unix', socketPath });
    await client.json({ method: 'GET', path: '/containers/json' });
    received.length = 0;

    // Act
    const listed = await client.json({ method: 'GET', path: '/containers/json' });

    // Assess
    expect(listed).toEqual([]);
    expect(received).toEqual(['GET /containers/json', 'GET /containers/json']);
  });

  it('does not send a DELETE again: the engine may have done it before the connection went', async () => {
    // Prepare
    const client = new DockerClient({ kind: 'unix', socketPath });
    await client.json({ method: 'GET', path: '/containers/json' });
    received.length = 0;

    // Act
    const removing = client.json({ method: 'DELETE', path: '/containers/abc' });

    // Assess
    await expect(removing).rejects.toBeInstanceOf(Unavailable);
    expect(received).toEqual(['DELETE /containers/abc']);
  });
});
