// The local HTTP server: one hono app that mounts every function of the route manifest,
// exactly as API Gateway routes to them in the cloud, and logs one line per request.
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { manifest } from '../../functions/routes.ts';
import { createBaseApp } from '../../lib/http/app.ts';
import type { HttpFunction } from '../../lib/http/function.ts';

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

export function createLocalApp(functions: HttpFunction[], log: (line: string) => void = console.log): Hono {
  const root = createBaseApp();
  root.use(async (c, next) => {
    const started = performance.now();
    await next();
    log(`${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${Math.round(performance.now() - started)}ms`);
  });
  for (const fn of functions) root.route('/', fn.app);
  return root;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(app: Hono, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
        resolve({
          url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              // Long polls may be open: stop them instead of waiting out their bound.
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => done());
            }),
        });
      });
      server.on('error', reject);
    } catch (err) {
      reject(err as Error);
    }
  });
}
