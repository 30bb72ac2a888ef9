// The still percent-encoded rest of a request path after an API prefix and a route base,
// e.g. `/test/new_folder/` of `/api/v1/sharefolder/test/new_folder/`, taken from the request
// target as sent (./request-target.ts). Handlers that take paths decode and check it
// themselves (lib/share/paths.ts), with no router decoding between.
import type { Context } from 'hono';
import { API_PREFIXES } from './route.ts';
import { notFound } from './errors.ts';
import { quoteBounded } from '../quote.ts';
import { requestTarget } from './request-target.ts';

export function rawPathAfter(c: Context, base: string): string {
  const { path } = requestTarget(c);
  for (const prefix of API_PREFIXES) {
    const start = prefix + base;
    if (path === start || path.startsWith(`${start}/`)) return path.slice(start.length);
  }
  throw notFound(`No route for ${c.req.method} ${quoteBounded(path)}`);
}
