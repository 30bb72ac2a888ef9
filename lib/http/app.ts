// A tiny hono app holding one route of the manifest, with the API's error handling around it.
// Every function builds its app here, so the local server and Lambda answer identically.
import type { Context, MiddlewareHandler } from 'hono';
// hono/tiny's PatternRouter: a function's app holds one route, for which the default router's
// RegExpRouter and TrieRouter were 6 KiB of every bundle. The local server's root app, which
// holds the whole manifest, tries its patterns in turn: microseconds for a hundred.
import { Hono } from 'hono/tiny';
import { bodyLimit } from 'hono/body-limit';
import { TooManyAttempts } from '../errors.ts';
import { envelope, statusOf } from './errors.ts';
import { hasRawTarget, requestTarget } from './request-target.ts';
import { honoPaths, type RouteDefinition } from './route.ts';
import { sessionGate, type GateServices } from './session.ts';
import { requestLog } from './request-log.ts';
import { unmatchedRequestHandler } from './unmatched-request.ts';
import { logger } from '../log.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type RouteHandler = (c: Context) => Response | Promise<Response>;

/**
 * Settings shared by every app: trailing slashes match (COMPAT.md), errors use the envelope.
 * An app that stands for the whole API passes the manifest, so that a known path asked with a
 * method it does not serve is a 405 rather than a 404.
 */
export function createBaseApp(manifest: readonly RouteDefinition[] = []): Hono {
  const app = new Hono({ strict: false });
  app.onError((err, c) => errorResponse(c, err));
  app.use(requestLog);
  // Every request target meets its form rules first, before any middleware builds a Request
  // from it: the path checks later read the same parsed target.
  app.use(async (c, next) => {
    if (hasRawTarget(c)) requestTarget(c);
    await next();
  });
  app.notFound(unmatchedRequestHandler(manifest));
  return app;
}

/** The route's handler behind the session gate (./session.ts) and the body limit. */
export function createRouteApp(route: RouteDefinition, handle: RouteHandler, services: GateServices): Hono {
  const app = createBaseApp();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(envelope(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`), 413),
  });
  // Only a request that declares a body can be over the limit. Asking bodyLimit about one that
  // declares none (every GET) made @hono/node-server build a whole fetch Request from Node's
  // message: two fifths of what the local server spent answering a long poll.
  const limitDeclaredBody: MiddlewareHandler = (c, next) => (declaresBody(c) ? limit(c, next) : next());
  const named: MiddlewareHandler = async (c, next) => {
    c.set('route', route.name);
    await next();
  };
  app.on(route.method, honoPaths(route), named, sessionGate(route, services), limitDeclaredBody, handle);
  return app;
}

/** HTTP/1.1 (RFC 9112 section 6.3): a request has a body only when it says so, by its length or its transfer coding. */
function declaresBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return c.req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/**
 * A public route that reads nothing (the API's own description): no session gate, which would
 * read the table, and no body limit, since it reads no body.
 */
export function createPublicRouteApp(route: RouteDefinition, handle: RouteHandler): Hono {
  if (!route.public) throw new Error(`route manifest: ${route.name} is served without a session gate, so it must be marked public`);
  const app = createBaseApp();
  app.on(route.method, honoPaths(route), handle);
  return app;
}

export function errorResponse(c: Context, err: unknown): Response {
  const status = statusOf(err);
  if (status !== undefined) {
    if (err instanceof TooManyAttempts) c.header('Retry-After', String(err.retryAfterSeconds));
    return c.json(envelope(status, (err as Error).message), status);
  }
  // Anything else is our fault: log it whole, tell the client only that it happened.
  logger.error('unhandled error', { requestId: c.get('requestId'), method: c.req.method, path: new URL(c.req.url).pathname, error: err as Error });
  return c.json(envelope(500, 'Internal server error'), 500);
}

/**
 * For requests that fail before hono sees them (neither the local server's @hono/node-server
 * nor the Lambda edge builds a Request from a target such as `/api/v1/sharefolder/a\\b`): the
 * same envelope as everything else.
 */
export function unreadableRequestResponse(err: unknown): Response {
  const unreadable = err instanceof Error && err.name === 'RequestError';
  if (!unreadable) logger.error('request failed before routing', { error: err as Error });
  const status = unreadable ? 400 : 500;
  return Response.json(envelope(status, unreadable ? 'Malformed request target' : 'Internal server error'), { status });
}
