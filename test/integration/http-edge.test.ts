// Requests at the edge of HTTP, against the local server: what node's parser refuses before
// any route sees it, bodies no route takes, paths no route has, and known paths asked with a
// method they do not serve. All answer in the API's error envelope and change nothing.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { manifest } from '../../functions/routes.ts';
import { MAX_BODY_BYTES } from '../../lib/http/app.ts';
import { API_PREFIXES, type RouteDefinition } from '../../lib/http/route.ts';
import { call } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const { keysUnder, bucketState, putObject } = bucketHelpers(stack);

interface RawAnswer {
  statusLine: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes exactly as given on a fresh connection and reads until the server closes it. */
function rawExchange(request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split === -1 ? text.length : split).split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ statusLine, headers, body: split === -1 ? '' : text.slice(split + 4) });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('the server neither answered nor closed')));
    socket.write(request, 'latin1');
  });
}


const CREATE_BODY = '{"name":"smuggled","is_dir":true}';

describe("requests node's HTTP parser refuses", () => {
  const cases: { name: string; request: string; status: number; reason: RegExp }[] = [
    { name: 'an unknown method', request: 'BREW /api/v1/export HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, reason: /method/i },
    { name: 'a NUL in the target', request: 'GET /api/v1/sharefolder/te\0st HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, reason: /url|target|char/i },
    {
      name: 'both Content-Length and Transfer-Encoding',
      request: `POST /api/v1/sharefolder/test/ HTTP/1.1\r\nHost: x\r\nContent-Length: ${CREATE_BODY.length}\r\nTransfer-Encoding: chunked\r\n\r\n${CREATE_BODY.length.toString(16)}\r\n${CREATE_BODY}\r\n0\r\n\r\n`,
      status: 400,
      reason: /content-length|transfer-encoding/i,
    },
    { name: 'a header name with a space', request: 'GET /api/v1/export HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', status: 400, reason: /header/i },
    { name: 'headers over 16 KiB', request: `GET /api/v1/export HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, reason: /too large/i },
  ];

  it.each(cases)('answers $name with a complete $status in the error envelope, and changes nothing', async ({ request, status, reason }) => {
    // Prepare
    const before = await keysUnder('test/');
    // Act
    const answer = await rawExchange(request);
    // Assess
    expect(answer.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers.connection).toBe('close');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    const parsed = JSON.parse(answer.body) as { error: { code: number; message: string } };
    expect(parsed.error.code).toBe(status);
    expect(parsed.error.message).toMatch(reason);
    expect(parsed.error.message.length).toBeLessThan(200);
    expect(await keysUnder('test/')).toStrictEqual(before);
  });

  it('keeps serving well-formed requests after a refused one', async () => {
    await rawExchange('BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await call(stack.url, 'GET', '/api/v1/export')).status).toBe(200);
  });
});

describe('a known path asked with a method it does not serve', () => {
  const cases: { method: string; path: string; allow: string }[] = [
    { method: 'DELETE', path: '/api/v1/export/progress', allow: 'GET' },
    { method: 'POST', path: '/api/v1/export/progress/', allow: 'GET' },
    { method: 'PUT', path: '/api/v1/sharefolder/test/a.txt', allow: 'DELETE, GET, POST' },
    { method: 'PATCH', path: '/container-station/api/v1/container', allow: 'GET, POST' },
    { method: 'GET', path: '/containerstation/api/v1/container/lxc/web/export', allow: 'POST' },
    { method: 'POST', path: '/api/v1/container/lxc/web', allow: 'DELETE, GET' },
    // Both /import/progress (GET) and /import/{path+} (GET, POST) are this path.
    { method: 'DELETE', path: '/api/v1/import/progress', allow: 'GET, POST' },
  ];

  it.each(cases)('answers $method $path with 405 and Allow: $allow', async ({ method, path, allow }) => {
    // Act
    const response = await call(stack.url, method, path);
    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body.error.code).toBe(405);
    expect(response.body.error.message).toContain(method);
  });

  it('quotes at most a bounded prefix of a long path', async () => {
    const response = await call(stack.url, 'PUT', `/api/v1/sharefolder/test/${'x'.repeat(5000)}`);
    expect(response.status).toBe(405);
    expect(response.body.error.message.length).toBeLessThan(400);
  });
});

/** A value for each parameter of the manifest's path templates: a new parameter must be named here. */
const SAMPLE_PARAMETERS: Record<string, string> = { type: 'lxc', id: 'edge', path: 'test/edge' };

/** A concrete target of the route; the query names a file for the routes that read one (import). */
function sampleTarget(route: RouteDefinition): string {
  const path = route.paths[0]!.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const value = SAMPLE_PARAMETERS[name];
    if (value === undefined) throw new Error(`no sample value for {${name}} of ${route.name}`);
    return value;
  });
  return `${API_PREFIXES[0]}${path}/?name=edge.tgz`;
}

/** What a client can see change: every object of the bucket, task, and container. */
async function observable(): Promise<Record<string, unknown>> {
  const [bucket, exports, imports, containers] = await Promise.all([
    bucketState(),
    call(stack.url, 'GET', '/api/v1/export/').then((r) => r.body),
    call(stack.url, 'GET', '/api/v1/import/').then((r) => r.body),
    call(stack.url, 'GET', '/api/v1/container').then((r) => r.body),
  ]);
  return { bucket, exports, imports, containers };
}

describe('a body no route takes, on every route of the manifest that takes one', () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const bodies: { what: string; body: string; headers: Record<string, string>; chunked?: boolean; status: number; message: string }[] = [
    { what: 'malformed JSON', body: '{"name":"x", "is_dir":tru', headers: { 'content-type': 'application/json' }, status: 400, message: 'Request body is not valid JSON' },
    { what: 'JSON that is not an object', body: '["name","x"]', headers: FORM, status: 400, message: 'Request body must be a JSON object' },
    {
      what: 'a body over 1 MiB',
      body: JSON.stringify({ name: 'big.txt', is_dir: false, type: 'lxc', path: 'test/big.tgz', context: 'x'.repeat(MAX_BODY_BYTES) }),
      headers: FORM,
      status: 413,
      message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
    },
    {
      what: 'a body over 1 MiB sent chunked (no Content-Length)',
      body: JSON.stringify({ name: 'big.txt', is_dir: false, type: 'lxc', path: 'test/big.tgz', context: 'x'.repeat(MAX_BODY_BYTES) }),
      headers: FORM,
      chunked: true,
      status: 413,
      message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
    },
  ];
  // Logout is a PUT that reads no body: it answers without a session (401) or ends it.
  const routesWithBody = manifest.filter((route) => (route.method === 'POST' || route.method === 'PUT') && route.name !== 'logout');
  const cases = routesWithBody.flatMap((route) => bodies.map((body) => ({ ...body, route: route.name, method: route.method, target: sampleTarget(route) })));

  it('covers every route that takes a body', () => {
    expect(routesWithBody.map((route) => route.name).sort()).toEqual(['container-create', 'export-create', 'import-create', 'login', 'sharefolder-create']);
  });

  it.each(cases)('answers $what to $route ($method $target) with $status in the error envelope, and changes nothing', async ({ method, target, body, headers, chunked, status, message }) => {
    // Prepare: the folder the share and import targets name exists, so only the body is wrong
    await putObject('test/edge/');
    const before = await observable();
    // Act
    const answer = await sendRaw(stack.url, method, target, { body, headers, chunked });
    // Assess
    expect(answer.status).toBe(status);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toStrictEqual({ error: { code: status, message } });
    expect(await observable()).toStrictEqual(before);
  });
});

describe('a path the API does not know', () => {
  it.each([
    { method: 'GET', path: '/api/v1/no-such-thing' },
    { method: 'DELETE', path: '/api/v1/exports' },
  ])('answers $method $path with 404 in the error envelope, without an Allow header', async ({ method, path }) => {
    const response = await call(stack.url, method, path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('allow')).toBeNull();
    expect(response.body).toStrictEqual({ error: { code: 404, message: `No route for ${method} ${path}` } });
  });
});
