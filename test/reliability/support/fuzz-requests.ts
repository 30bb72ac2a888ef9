// Random requests aimed at the routes of the manifest: each starts from a route (its method,
// a template of its paths, the query and body it reads) and is bent at random: another method
// or prefix, hostile segments and percent-encodings, bodies of every wrong shape and size,
// odd content types, cookies and headers. Everything comes from the seeded generator.
import type { RouteDefinition } from '../../../lib/http/route.ts';
import { API_PREFIXES } from '../../../lib/http/route.ts';
import type { Random } from './prng.ts';

export interface FuzzRequest {
  /** The route the request was made from (a bent one may reach another, or none). */
  route: string;
  method: string;
  /** Sent byte for byte (latin1). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Whether it carries the live session's cookie (FuzzContext.sessionCookie). */
  withSession: boolean;
}

export interface FuzzContext {
  /** A cookie header of a live session, where the stack needs one; sent with some requests. */
  sessionCookie?: string;
  /** Cookie headers of sessions that must not work (forged, expired, logged out, of a removed user); sent with some others. */
  staleCookies?: readonly string[];
  /** The body size over which the API refuses (413), to send a few over it. */
  maxBodyBytes: number;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const BENT_PREFIXES = ['', '/api', '/api/v2', '/API/v1', '/api//v1', '/api/v1/..', '/api/v1/.', '/api/v1/%2e', '/containerstation/api/v1/..', '//api/v1', '/api%2Fv1'];
const TYPES = ['lxc', 'docker', 'LXC', 'kvm', '', '..', '%6cxc', 'lxc%00', 'docker%2F..', '*'];
const SEGMENTS = [
  'test', 'fuzz', 'a.tar', 'a.tgz', 'web', 'c1', 'demo', '.', '..', '...', '%2e', '%2e%2e', '%2E%2e', '.%2e',
  '%2F', '%2f..%2f', '%5C', '\\', '%00', '%0a', '%0d%0a', '%09', '%', '%z', '%zz', '%c3%28', '%ff', '%fe%ff', '%C0%AE',
  '%E2%80%AE', '%ef%bc%8f', 'é', '%C3%A9', '%20', '+', ';', 'a;b', 'a%3Bb', '*', '~', 'CON', '$', '@', ':', 'a:b',
  '%3F', '%23', '{}', '{path+}', '"', "'", '<script>', '\x7f', '\xe9', 'x'.repeat(256), 'y'.repeat(1100), '0', '-1',
  'progress', 'all', 'export',
];
const NAMES = ['a.tar', 'a.tgz', 'missing.tar', '', '..', '../a.tar', '%2e%2e%2fa.tar', 'a%00.tar', '%', '%zz', 'a+b.tar', 'a/b.tar', '/etc/passwd', 'x'.repeat(300), '%E2%80%AE'];
const NUMBERS = ['0', '1', '-1', '1.5', '1e3', '9007199254740993', 'NaN', 'Infinity', '', 'abc', '%31', '0x10', '%201', '%', '99999999999999999999'];
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/x-www-form-urlencoded', 'text/plain',
  'multipart/form-data; boundary=x', 'multipart/form-data', 'application/octet-stream', 'application/json; charset=utf-16', '', ';;;', 'a'.repeat(2000),
];
const COOKIES = ['stevedore_sid=', 'stevedore_sid=abc', `stevedore_sid=${'0'.repeat(64)}`, 'stevedore_sid=%zz', 'stevedore_sid="quoted"', 'stevedore_sid=a; stevedore_sid=b', 'other=1', '=', ';;', `stevedore_sid=${'x'.repeat(5000)}`];
const STRANGE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, '', ' ', '..', '../..', '/etc/passwd', 'a\u0000b', '\u202e', 'é', 'x'.repeat(5000), [], [1, 'a'], {}, { a: { b: { c: {} } } }];

/** A valid-looking body per route that takes one: the base the mutations bend. */
const BODY_TEMPLATES: Record<string, Record<string, unknown>> = {
  login: { username: 'admin', password: 'fuzz password' },
  'sharefolder-create': { name: 'fz', is_dir: true },
  'container-create': { type: 'lxc', name: 'fz', image: 'demo', tag: 'latest', environment: ['A=1'], network: { hostname: 'fz', port: [[8080, 80, 'tcp']] } },
  'export-create': { path: 'test/fz.tar', compress: false, force: false },
  'import-create': { type: 'lxc', name: 'fz', autostart: false, volume: { host: { '/test/data': { bind: '/srv' } } } },
};

export function fuzzRequest(random: Random, routes: readonly RouteDefinition[], context: FuzzContext): FuzzRequest {
  const route = random.pick(routes);
  const method = random.chance(0.85) ? route.method : random.pick(METHODS);
  const prefix = random.chance(0.9) ? random.pick(API_PREFIXES) : random.pick(BENT_PREFIXES);
  const path = random.pick(route.paths).replace(/\{(\w+)(\+?)\}/g, (_, name: string, greedy: string) => (name === 'type' ? random.pick(TYPES) : greedy ? sharePath(random) : segment(random)));
  const slash = random.chance(0.3) ? '/' : random.chance(0.05) ? '//' : '';
  const target = `${prefix}${path}${slash}${query(random, route)}`;

  const headers: Record<string, string> = {};
  if (random.chance(0.5)) headers['content-type'] = random.pick(CONTENT_TYPES);
  // Never the live session to the logout: it would end the session for the rest of the pass.
  if (context.sessionCookie && random.chance(0.6) && route.name !== 'logout') headers.cookie = context.sessionCookie;
  else if (context.staleCookies?.length && random.chance(0.5)) headers.cookie = random.pick(context.staleCookies);
  else if (random.chance(0.25)) headers.cookie = random.pick(COOKIES);
  if (random.chance(0.1)) headers.authorization = random.pick(['Basic YWRtaW46YWRtaW4=', 'Bearer x', '', 'x'.repeat(3000)]);
  if (random.chance(0.1)) headers['x-forwarded-for'] = random.pick(['1.2.3.4', '1.2.3.4, 5.6.7.8', 'garbage', '::1']);
  if (random.chance(0.05)) headers['x-forwarded-proto'] = random.pick(['https', 'http', 'gopher', '']);
  if (random.chance(0.05)) headers['content-encoding'] = random.pick(['gzip', 'br', 'identity', 'x']);
  if (random.chance(0.05)) headers.accept = random.pick(['*/*', 'text/html', '']);

  const wantsBody = method !== 'GET' && method !== 'HEAD' ? random.chance(0.85) : random.chance(0.1);
  const body = wantsBody ? requestBody(random, route, context) : undefined;
  return { route: route.name, method, target, headers, body, withSession: context.sessionCookie !== undefined && headers.cookie === context.sessionCookie };
}

function segment(random: Random): string {
  if (random.chance(0.2)) return `${random.pick(SEGMENTS)}${random.pick(SEGMENTS)}`;
  return random.pick(SEGMENTS);
}

/** A share path of one to four segments, usually under the share folder the stack holds. */
function sharePath(random: Random): string {
  const parts = random.chance(0.6) ? ['test'] : [];
  for (let i = 0, n = 1 + random.int(3); i < n; i++) parts.push(segment(random));
  return parts.join(random.chance(0.05) ? '//' : '/');
}

function query(random: Random, route: RouteDefinition): string {
  const pairs: string[] = [];
  if (route.name.startsWith('import-') && random.chance(0.85)) pairs.push(`name=${random.pick(NAMES)}`);
  if (route.longPoll && random.chance(0.7)) pairs.push(`cursor=${random.pick(NUMBERS)}`);
  if (route.name === 'event-list') {
    if (random.chance(0.7)) pairs.push(`index=${random.pick(NUMBERS)}`);
    if (random.chance(0.7)) pairs.push(`offset=${random.pick(NUMBERS)}`);
  }
  if (random.chance(0.15)) pairs.push(random.pick(['name', 'cursor', 'a', '%zz', '', '=', '&&', 'name[]=1', `q=${'z'.repeat(4000)}`]));
  if (random.chance(0.1) && pairs.length > 0) pairs.push(pairs[0]!);
  if (pairs.length === 0) return random.chance(0.05) ? '?' : '';
  return `?${pairs.join('&')}`;
}

function requestBody(random: Random, route: RouteDefinition, context: FuzzContext): Buffer {
  const roll = random.next();
  if (roll < 0.01) return Buffer.alloc(context.maxBodyBytes + 1 + random.int(1000), '{');
  if (roll < 0.06) return Buffer.from(Array.from({ length: random.int(300) }, () => random.int(256)));
  if (roll < 0.1) return Buffer.from(random.pick(['', '{', '}', '[]', 'null', '0', '"x"', '{"a":', '\u0000', 'username=admin&password=x', 'a=%zz', '{"__proto__":{"polluted":1}}']));
  const template = BODY_TEMPLATES[route.name] ?? { path: 'test/x', name: 'x' };
  const mutated = mutate(random, structuredClone(template), 0);
  const text = JSON.stringify(mutated) ?? '';
  if (route.name === 'login' && random.chance(0.3) && typeof mutated === 'object' && mutated !== null && !Array.isArray(mutated)) {
    return Buffer.from(new URLSearchParams(Object.entries(mutated).map(([k, v]): [string, string] => [k, String(v)])).toString());
  }
  return Buffer.from(random.chance(0.05) ? text.slice(0, random.int(text.length)) : text);
}

function mutate(random: Random, value: unknown, depth: number): unknown {
  if (depth > 3 || random.chance(0.05)) return random.pick(STRANGE_VALUES);
  if (Array.isArray(value)) return random.chance(0.3) ? random.pick(STRANGE_VALUES) : value.map((item) => (random.chance(0.3) ? mutate(random, item, depth + 1) : item));
  if (value === null || typeof value !== 'object') return random.chance(0.3) ? random.pick(STRANGE_VALUES) : value;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const roll = random.next();
    if (roll < 0.1) delete object[key];
    else if (roll < 0.35) object[key] = mutate(random, object[key], depth + 1);
  }
  // defineProperty: an assignment to `__proto__` would change the prototype instead of adding a key.
  if (random.chance(0.1)) Object.defineProperty(object, random.pick(['__proto__', 'constructor', 'prototype', 'extra', '', 'x'.repeat(300)]), { value: random.pick(STRANGE_VALUES), enumerable: true, writable: true, configurable: true });
  if (random.chance(0.02)) {
    let deep: unknown = {};
    for (let i = 0; i < 2000; i++) deep = { d: deep };
    object.deep = deep;
  }
  return object;
}
