// The local HTTP server: one hono app that mounts every function of the route manifest,
// exactly as API Gateway routes to them in the cloud, all sharing the services the local
// stack composed. Each request's log line is written by lib/http/request-log.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { manifest } from '../../functions/routes.ts';
import { createBaseApp, unreadableRequestResponse } from '../../lib/http/app.ts';
import type { HttpFunction } from '../../lib/http/function.ts';
import type { Services } from '../../lib/ports.ts';
import { answerClientError } from './client-error.ts';

export async function loadFunctions(): Promise<HttpFunction[]> {
  return Promise.all(
    manifest.map(async (route) => {
      const url = new URL(`../../functions/${route.module}.ts`, import.meta.url).href;
      const module = (await import(/* @vite-ignore */ url)) as { fn?: HttpFunction };
      if (!module.fn) throw new Error(`functions/${route.module}.ts does not export fn`);
      return module.fn;
    }),
  );
}

export function createLocalApp(functions: HttpFunction[], services: Services): Hono {
  const root = createBaseApp(functions.map((fn) => fn.route));
  for (const fn of functions) root.route('/', fn.appFor(services));
  return root;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(app: Hono, host: string, port: number): Promise<RunningServer> {
  const server = createServer(getRequestListener(app.fetch, { errorHandler: unreadableRequestResponse }));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        // Long polls may be open: end them instead of waiting out their bound.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
