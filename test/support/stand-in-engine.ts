// A stand-in Docker engine on a unix socket, for answers a real engine gives only by chance or
// not on demand (a refusal inside a 200, a connection dropped). Listening for the file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function useStandInEngine(answer: RequestListener): { readonly socketPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sd-stub-'));
  const socketPath = join(dir, 'engine.sock');
  let server: Server;
  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  return { socketPath };
}
