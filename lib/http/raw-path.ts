// The still percent-encoded rest of a request path after an API prefix and a route base,
// e.g. `/test/new_folder/` of `/api/v1/sharefolder/test/new_folder/`. Handlers that take
// paths decode and check it themselves (lib/share/paths.ts), with no router decoding between.
import type { Context } from 'hono';
import { API_PREFIXES } from './route.ts';
import { notFound } from './errors.ts';

export function rawPathAfter(c: Context, base: string): string {
  const pathname = new URL(c.req.url).pathname;
  for (const prefix of API_PREFIXES) {
    const start = prefix + base;
    if (pathname === start || pathname.startsWith(`${start}/`)) return pathname.slice(start.length);
  }
  throw notFound(`No route for ${c.req.method} ${pathname}`);
}
