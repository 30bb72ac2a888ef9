// A server on loopback that plays an AWS service for the unit tests of stevedore's own clients
// (each request's body read whole, then answered by the test), closed after every test together
// with the client under test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface StandInRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StandInAnswer = (req: StandInRequest, res: ServerResponse, count: number) => void;

/** Registers the teardown; `start` listens with `answer` and gives the requests seen and the endpoint. */
export function useStandIn() {
  let server: Server | undefined;
  let client: { destroy(): void } | undefined;
  afterEach(async () => {
    client?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = client = undefined;
  });
  return {
    async start(answer: StandInAnswer): Promise<{ seen: StandInRequest[]; endpoint: string }> {
      const seen: StandInRequest[] = [];
      const listening = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const request = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
          seen.push(request);
          answer(request, res, seen.length);
        });
      });
      server = listening;
      await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
      return { seen, endpoint: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
    },
    /** The client under test, destroyed after the test. */
    owned<T extends { destroy(): void }>(made: T): T {
      client = made;
      return made;
    },
    /** Stops listening, so that nothing answers at the endpoint any more. */
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}
