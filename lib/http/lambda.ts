// The Lambda edge: serverless-http turns API Gateway events into Node requests, and
// @hono/node-server's listener turns those into the Fetch requests hono serves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import serverless from 'serverless-http';
import { logger } from '../log.ts';
import { unreadableRequestResponse } from './app.ts';

export type LambdaHandler = ReturnType<typeof serverless>;

export function lambdaHandler(app: Hono): LambdaHandler {
  const listener = getRequestListener(app.fetch, { errorHandler: unreadableRequestResponse });
  const serve = serverless((req: IncomingMessage, res: ServerResponse) => {
    // serverless-http fills `headers` but not `rawHeaders`, and @hono/node-server builds the
    // Request from `rawHeaders`: without this every header (cookie, content-type) is lost.
    if (req.rawHeaders.length === 0) {
      req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) =>
        Array.isArray(value) ? value.flatMap((v) => [name, v]) : value === undefined ? [] : [name, value],
      );
    }
    return listener(req, res);
  });
  // A Lambda instance serves one request at a time: its invocation's context (function, cold
  // start, the invocation's id) goes on every line logged meanwhile.
  return (event, context) => {
    if (context) logger.addContext(context as Parameters<typeof logger.addContext>[0]);
    return serve(event, context);
  };
}
