// The link between stevedore and a Docker engine, as a unix socket of its own that forwards to the
// engine's: `cut` makes the engine go away at once for stevedore (every open connection closed,
// new ones refused, as when dockerd dies), `restore` brings it back. A graceful stop of dockerd
// itself lets a short request finish before it exits, so it cannot be timed into a task's middle.
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface EngineLink {
  /** The socket stevedore is given (DOCKER_HOST=unix://<path>). */
  path: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startEngineLink(path: string, engineSocket: string): Promise<EngineLink> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      rmSync(path, { force: true });
      server = createServer((client) => {
        const engine = createConnection(engineSocket);
        for (const socket of [client, engine]) {
          open.add(socket);
          socket.on('close', () => open.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(engine).pipe(client);
        client.on('close', () => engine.destroy());
        engine.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  const cut = async () => {
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of open) socket.destroy();
    server = undefined;
    await closed;
  };
  await listen();
  return { path, cut, restore: listen, close: cut };
}
