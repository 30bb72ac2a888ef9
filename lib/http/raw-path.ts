// The still percent-encoded rest of a request path after an API prefix and a route base,
// e.g. `/test/new_folder/` of `/api/v1/sharefolder/test/new_folder/`. Handlers that take
// paths decode and check it themselves (lib/share/paths.ts), with no router decoding between.
import type { Context } from 'hono';
import { API_PREFIXES } from './route.ts';
import { notFound } from './errors.ts';

export function rawPathAfter(c: Context, base: string): string {
  const pathname = requestTargetPath(c);
  for (const prefix of API_PREFIXES) {
    const start = prefix + base;
    if (pathname === start || pathname.startsWith(`${start}/`)) return pathname.slice(start.length);
  }
  throw notFound(`No route for ${c.req.method} ${pathname}`);
}

/**
 * The path exactly as the client sent it. `c.req.url` has been through the WHATWG URL parser,
 * which removes `.`/`..` segments (also `%2e%2e`), so `DELETE .../test/a/b/..` would arrive as
 * `.../test/a/` and delete directory `a`. Node's request (local server and, via serverless-http,
 * Lambda) keeps the raw target in `incoming.url`; its dot segments then reach the path checks.
 */
function requestTargetPath(c: Context): string {
  const target = (c.env as { incoming?: { url?: unknown } } | undefined)?.incoming?.url;
  if (typeof target === 'string' && target.startsWith('/')) return target.replace(/[?#][\s\S]*$/, '');
  return new URL(c.req.url).pathname;
}
