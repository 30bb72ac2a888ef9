// The Lambda edge: serverless-http turns API Gateway events into Node requests, and the bridge
// below turns those into the Fetch requests hono serves. @hono/node-server's listener would do
// the second step too, but it is built for a server's sockets (streamed bodies, HTTP/2,
// disconnects, Request and Response classes installed over the globals): 20 KiB of the bundle
// and the http2 module and undici loaded at every cold start, for a request whose body
// serverless-http already holds whole and a response it buffers whole anyway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { logger } from '../log.ts';
import { unreadableRequestResponse } from './app.ts';
import { serverless, type LambdaHandler } from './serverless.ts';

export type { LambdaHandler };

/** What serverless-http's request adds to Node's: the event's body, already whole. */
type ServerlessRequest = IncomingMessage & { body?: Buffer };

/**
 * A request no Fetch Request can be made of. Named as @hono/node-server names its own, so that
 * the one error handler (unreadableRequestResponse) answers both edges alike.
 */
class RequestError extends Error {
  override name = 'RequestError';
}

export function lambdaHandler(app: Hono): LambdaHandler {
  const serve = serverless((req, res) =>
    // A failure to write the answer fails the invocation (API Gateway answers 502) rather than leaving it waiting.
    bridge(app, req as ServerlessRequest, res).catch((err: unknown) => res.emit('error', err)),
  );
  // A Lambda instance serves one request at a time: its invocation's context (function, cold
  // start, the invocation's id) goes on every line logged meanwhile.
  return (event, context) => {
    if (context) logger.addContext(context as Parameters<typeof logger.addContext>[0]);
    return serve(event, context);
  };
}

async function bridge(app: Hono, req: ServerlessRequest, res: ServerResponse): Promise<void> {
  let response: Response;
  try {
    // `incoming` is where the raw request target (./request-target.ts), the gateway's request
    // id and the caller's address (getConnInfo) are read from, as on the local server.
    response = await app.fetch(toRequest(req), { incoming: req, outgoing: res });
  } catch (err) {
    response = unreadableRequestResponse(err);
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (response.body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  // The defaults @hono/node-server gives a body, so that both edges send the same headers.
  headers['content-type'] ??= 'text/plain; charset=UTF-8';
  headers['content-length'] ??= String(body.byteLength);
  res.writeHead(response.status, headers);
  res.end(body);
}

function toRequest(req: ServerlessRequest): Request {
  const target = req.url ?? '';
  // serverless-http builds the target from the event's path, so it is always origin-form.
  if (!target.startsWith('/')) throw new RequestError('Invalid URL');
  const query = target.indexOf('?');
  // The WHATWG parser would read a backslash as a slash and route another path than the one sent.
  if (target.slice(0, query === -1 ? undefined : query).includes('\\')) throw new RequestError('Backslash in request path');
  let url: URL;
  try {
    url = new URL(target, `https://${req.headers.host ?? 'localhost'}`);
  } catch (err) {
    throw new RequestError('Invalid URL', { cause: err });
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, String(value));
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : req.body;
  return new Request(url, { method, headers, body });
}
