// The answer to a request no route matched: 405 with an `Allow` header when the API serves the
// path under other methods, 404 otherwise, both in the error envelope. Built from the route
// manifest, which the caller passes in (lib does not depend on functions/), so that the local
// server and the cloud's $default route answer alike.
import type { Context } from 'hono';
import { envelope } from './errors.ts';
import { quoteBounded } from '../quote.ts';
import { API_PREFIXES, type HttpMethod, type RouteDefinition } from './route.ts';

interface PathPattern {
  pattern: RegExp;
  method: HttpMethod;
}

/** `{name}` is one segment, `{name+}` one or more, as in hono's routing of the same templates. */
function templatePattern(prefix: string, template: string): RegExp {
  const source = (prefix + template)
    .split(/(\{\w+\+?\})/)
    .map((part) => (/^\{\w+\+\}$/.test(part) ? '.+' : /^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The methods the manifest serves on a path, sorted; empty for a path it does not know. */
export function methodsMatcher(manifest: readonly RouteDefinition[]): (path: string) => HttpMethod[] {
  const patterns: PathPattern[] = manifest.flatMap((route) =>
    API_PREFIXES.flatMap((prefix) => route.paths.map((template) => ({ pattern: templatePattern(prefix, template), method: route.method }))),
  );
  return (path) => {
    // Routes match with or without one trailing slash (COMPAT.md).
    const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    return [...new Set(patterns.filter((p) => p.pattern.test(bare)).map((p) => p.method))].sort();
  };
}

/** hono's notFound handler for an app that serves (some of) the manifest. */
export function unmatchedRequestHandler(manifest: readonly RouteDefinition[]): (c: Context) => Response {
  const methodsFor = methodsMatcher(manifest);
  return (c) => {
    const pathname = new URL(c.req.url).pathname;
    const allowed = methodsFor(c.req.path);
    // A method the manifest does serve here reached no route only when routing went wrong
    // (a request sent to the wrong function): there is nothing to allow, so it is a 404.
    if (allowed.length === 0 || allowed.includes(c.req.method as HttpMethod)) {
      return c.json(envelope(404, `No route for ${quoteBounded(c.req.method)} ${quoteBounded(pathname)}`), 404);
    }
    c.header('Allow', allowed.join(', '));
    return c.json(envelope(405, `Method ${quoteBounded(c.req.method, 20)} is not allowed for ${quoteBounded(pathname)}; allowed: ${allowed.join(', ')}`), 405);
  };
}
