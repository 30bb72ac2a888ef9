// The request target exactly as the client sent it, parsed once into its still percent-encoded
// path and query. Every handler that takes a share path reads it from here and nowhere else:
// `c.req.url` has been through the WHATWG URL parser, which removes `.`/`..` segments (also
// `%2e%2e`), so `DELETE .../test/a/b/..` would arrive as `.../test/a/` and delete directory `a`.
// Node's request (local server and, via serverless-http, Lambda, where it is the event's
// rawPath and rawQueryString) keeps the raw target in `incoming.url`.
import type { Context } from 'hono';
import { badRequest } from './errors.ts';

export interface RequestTarget {
  /** Starts with `/`; percent-encoding, dot segments and empty segments as sent. */
  path: string;
  /** After the `?`, still encoded; empty when there was none. */
  query: string;
}

// RFC 9112 3.2.2: absolute form is `scheme://authority[path][?query]`; an empty path is `/`.
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

const rawTargetOf = (c: Context): unknown => (c.env as { incoming?: { url?: unknown } } | undefined)?.incoming?.url;

/** False only for requests that did not come through Node's HTTP request (hono's app.request in a unit test). */
export const hasRawTarget = (c: Context): boolean => typeof rawTargetOf(c) === 'string';

// One parse per request: the first-middleware check and every handler that reads a path share it.
const parsed = new WeakMap<Context, RequestTarget>();

export function requestTarget(c: Context): RequestTarget {
  const known = parsed.get(c);
  if (known) return known;
  const target = rawTargetOf(c);
  // Both entries (local server, Lambda) run on Node's request: without it, a check here would
  // have nothing raw to look at, and a silent fallback to the normalised URL is the hole itself.
  if (typeof target !== 'string') throw new Error('the request carries no raw target (incoming.url)');
  const result = parseRequestTarget(target);
  parsed.set(c, result);
  return result;
}

export function parseRequestTarget(target: string): RequestTarget {
  let rest: string;
  if (target.startsWith('/')) rest = target;
  else {
    const authority = ABSOLUTE_FORM.exec(target);
    // Asterisk and authority forms name no resource of this API.
    if (!authority) throw badRequest('Malformed request target');
    // Credentials in a request target (RFC 9110 4.2.4: a recipient should treat them as an
    // error) would also make the Fetch Request behind the handler impossible to build.
    if (authority[0].includes('@')) throw badRequest('Malformed request target: it may not carry credentials');
    rest = target.slice(authority[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  // A request target never carries a fragment (RFC 9112 3.2): a raw `#` is a client that meant
  // `%23`, and cutting the target there would act on another path than the one it named.
  if (rest.includes('#')) throw badRequest('Malformed request target: "#" must be sent as %23');
  const end = rest.indexOf('?');
  if (end === -1) return { path: rest, query: '' };
  return { path: rest.slice(0, end), query: rest.slice(end + 1) };
}

/**
 * The first value of a query parameter, decoded as a form (`+` is a space). Malformed
 * percent-encoding is refused rather than passed on half-decoded.
 */
export function queryParameter(c: Context, name: string): string | undefined {
  for (const pair of requestTarget(c).query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (decodeQueryPart(key) !== name) continue;
    return eq === -1 ? '' : decodeQueryPart(pair.slice(eq + 1));
  }
  return undefined;
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw badRequest('Invalid query string: malformed percent-encoding');
  }
}
