// One structured log line per request, the same behind `npm start` and on Lambda: its id, the
// manifest route that served it, the status, the latency, who asked and the task it made.
// Only those fields are written, never headers or bodies, so cookies, passwords and session
// tokens cannot reach the log.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { logger } from '../log.ts';
import { currentSession } from './session.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    /** The manifest route serving the request (set by lib/http/app.ts); absent when none matched. */
    route: string | undefined;
    /** The task a request created, for the log line. */
    taskId: number | undefined;
  }
}

/** The response header that tells a client the id its request is logged under. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The log line's middleware. Mounted by every app; where apps are nested (the local server
 * mounts every function's app in one), the outermost writes the line and the inner ones pass.
 */
export const requestLog: MiddlewareHandler = async (c, next) => {
  if (c.get('requestId') !== undefined) return next();
  const requestId = gatewayRequestId(c) ?? randomUUID();
  c.set('requestId', requestId);
  // Before the handler, so that the header goes into the answer as it is made: set on a
  // finished answer, it made hono copy it into a stream-bodied Response, which the server then
  // read back chunk by chunk, for every request.
  c.header(REQUEST_ID_HEADER, requestId);
  const started = performance.now();
  await next();
  // A client that left first (a long poll it gave up on) was sent nothing, whatever the status.
  const hungUp = c.req.raw.signal.aborted;
  logger.info('request', {
    requestId,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    route: c.get('route') ?? 'unmatched',
    status: c.res.status,
    ...(hungUp ? { hungUp } : {}),
    latencyMs: Math.round(performance.now() - started),
    user: currentSession(c)?.username,
    taskId: c.get('taskId'),
  });
};

/** Names the task a request created on its log line. */
export function logTaskId(c: Context, id: number): void {
  c.set('taskId', id);
}

/** The id API Gateway gave the request (serverless-http keeps its requestContext on the Node request). */
function gatewayRequestId(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { requestContext?: { requestId?: unknown } } } | undefined)?.incoming;
  const id = incoming?.requestContext?.requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
