// The Lambda entry of each share-folder function (serverless-http around the function's hono
// app) given real API Gateway HTTP API (payload 2.0) events: it must answer exactly what the
// local server answers for the same request, headers included (the Lambda edge builds its Fetch
// request itself from what serverless-http gives it: see lib/http/lambda.ts).
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as createHandler } from '../../functions/sharefolder/create.ts';
import { handler as deleteHandler } from '../../functions/sharefolder/delete.ts';
import { handler as listHandler } from '../../functions/sharefolder/list.ts';
import { handler as notFoundHandler } from '../../functions/not-found.ts';
import { API_PREFIXES } from '../../lib/http/route.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_SHARE_FOLDERS: 'test:rw:40G,Public:ro:100G' });
const { putObject, keysUnder, readText: objectText } = bucketHelpers(stack);

type Method = 'GET' | 'POST' | 'DELETE';
type Handler = (event: object, context: object) => Promise<object>;

const handlers: Record<Method, Handler> = { GET: listHandler, POST: createHandler, DELETE: deleteHandler };

interface Req {
  method: Method;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  cookies?: string[];
}

/** What a client sees: status, content type, body text. */
interface Seen {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** The API Gateway route an HTTP API would match (the CDK app declares one per prefix and path). */
function routeKeyOf(method: Method, path: string): string {
  for (const prefix of API_PREFIXES) {
    const base = `${prefix}/sharefolder`;
    if (path === base || path === `${base}/`) return `${method} ${base}`;
    if (path.startsWith(`${base}/`)) return `${method} ${base}/{path+}`;
  }
  return '$default';
}

/** An HTTP API payload 2.0 event as API Gateway builds it for `$default` stage routes. */
function apiGatewayEvent(req: Req): APIGatewayProxyEventV2 {
  const now = new Date();
  const routeKey = routeKeyOf(req.method, req.path);
  const headers: Record<string, string> = {
    accept: '*/*',
    host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'curl/8.5.0',
    'x-amzn-trace-id': `Root=1-${now.getTime().toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
    ...req.headers,
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: req.path,
    rawQueryString: '',
    ...(req.cookies ? { cookies: req.cookies } : {}),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method: req.method, path: req.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: `${randomUUID()}`,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body !== undefined ? { body: req.body } : {}),
    isBase64Encoded: false,
  };
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'stevedore-sharefolder',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:stevedore-sharefolder',
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/stevedore-sharefolder',
  logStreamName: '2026/11/27/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

async function viaLambda(req: Req): Promise<Seen> {
  const result = (await handlers[req.method](apiGatewayEvent(req), lambdaContext)) as APIGatewayProxyStructuredResultV2;
  expect(result.isBase64Encoded).toBe(false);
  const headers = result.headers ?? {};
  return { status: result.statusCode ?? 0, contentType: headers['content-type'] as string | undefined, body: result.body ?? '' };
}

/** The same request to the local server, raw (node:http keeps the path and headers as given). */
async function viaLocalServer(req: Req): Promise<Seen> {
  const headers = { ...req.headers, ...(req.cookies ? { cookie: req.cookies.join('; ') } : {}) };
  const answer = await sendRaw(stack.url, req.method, req.path, { body: req.body, headers });
  return { status: answer.status, contentType: answer.contentType, body: answer.text };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const COOKIES = ['NAS_SID=8d1f0c2e9a7b4c3d', 'lang=en'];

describe('read-only requests answer the same through Lambda and the local server', () => {
  const cases: Req[] = [
    { method: 'GET', path: '/api/v1/sharefolder/' },
    { method: 'GET', path: '/api/v1/sharefolder' },
    { method: 'GET', path: '/api/v1/sharefolder/test', cookies: COOKIES },
    { method: 'GET', path: '/api/v1/sharefolder/Public/' },
    { method: 'GET', path: '/api/v1/sharefolder/Missing' },
    { method: 'GET', path: '/api/v1/sharefolder/test/readonly/sub' },
    { method: 'GET', path: '/containerstation/api/v1/sharefolder/test/readonly' },
    { method: 'GET', path: '/container-station/api/v1/sharefolder/test/readonly' },
    { method: 'GET', path: '/api/v1/sharefolder/test/readonly/..' },
    { method: 'GET', path: '/api/v1/sharefolder/test/%2e%2e/Public' },
    { method: 'GET', path: '/api/v1/sharefolder/test/ke%00ep' },
    { method: 'DELETE', path: '/api/v1/sharefolder/Public/doc.txt' },
    { method: 'POST', path: '/api/v1/sharefolder/Public/', body: '{"name":"x","is_dir":true}', headers: FORM },
  ];

  it.each(cases)('$method $path', async (req) => {
    // Prepare
    await putObject('test/readonly/');
    await putObject('test/readonly/sub/');
    await putObject('test/readonly/sub/a.txt', 'a');
    await putObject('test/readonly/z.txt', 'z');
    await putObject('Public/doc.txt', 'doc');
    const before = await keysUnder('');

    // Act
    const lambda = await viaLambda(req);
    const local = await viaLocalServer(req);

    // Assess
    expect(lambda).toStrictEqual(local);
    expect(lambda.status).not.toBe(500);
    expect(await keysUnder('')).toStrictEqual(before);
  });

  it('answers the spec examples with the spec shapes through Lambda', async () => {
    // Prepare: the same layout as above

    // Act
    const folders = await viaLambda({ method: 'GET', path: '/api/v1/sharefolder/' });
    const listing = await viaLambda({ method: 'GET', path: '/api/v1/sharefolder/test/readonly' });
    const missing = await viaLambda({ method: 'GET', path: '/api/v1/sharefolder/Missing' });

    // Assess
    expect({ status: folders.status, body: JSON.parse(folders.body) as unknown }).toStrictEqual({
      status: 200,
      body: [
        { is_dir: true, name: 'Public', totalsize: '100G', type: 'd', usedsize: '3B', write: false },
        { is_dir: true, name: 'test', totalsize: '40G', type: 'd', usedsize: expect.stringMatching(/^\d+B$/) as string, write: true },
      ],
    });
    expect(listing).toStrictEqual({
      status: 200,
      contentType: 'application/json',
      body: '[{"is_dir":true,"name":"sub","type":"d"},{"is_dir":false,"name":"z.txt","type":"f"}]',
    });
    expect(missing).toStrictEqual({ status: 400, contentType: 'application/json', body: '{"error":{"code":400,"message":"Missing"}}' });
  });
});

describe('writes answer the same through Lambda and the local server', () => {
  // Each write runs twice, on two identical directories: one through Lambda, one through the
  // local server. Both answers must be identical, and so must what each left in the bucket.
  async function twin(prepare: (dir: string) => Promise<void>, req: (dir: string) => Req): Promise<{ lambda: Seen; local: Seen; lambdaKeys: string[]; localKeys: string[] }> {
    const id = randomUUID().slice(0, 8);
    const viaL = `test/l-${id}`;
    const viaS = `test/s-${id}`;
    await prepare(viaL);
    await prepare(viaS);
    const lambda = await viaLambda(req(viaL));
    const local = await viaLocalServer(req(viaS));
    const strip = (dir: string) => async () => (await keysUnder(`${dir}/`)).map((k) => k.slice(dir.length));
    return { lambda, local, lambdaKeys: await strip(viaL)(), localKeys: await strip(viaS)() };
  }

  it('creates a directory from a form-labelled JSON body sent with cookies', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => {
        await putObject(`${d}/`);
        await putObject(`${d}/old.txt`, 'old');
      },
      (d) => ({ method: 'POST', path: `/api/v1/sharefolder/${d}/`, body: '{"name":"new_folder", "is_dir":true}', headers: FORM, cookies: COOKIES }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect(r.lambda).toStrictEqual({
      status: 200,
      contentType: 'application/json',
      body: '[{"is_dir":true,"name":"new_folder","type":"d"},{"is_dir":false,"name":"old.txt","type":"f"}]',
    });
    expect(r.lambdaKeys).toStrictEqual(['/', '/new_folder/', '/old.txt']);
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('creates a file from a JSON body labelled application/json, storing its text', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => putObject(`${d}/`),
      (d) => ({ method: 'POST', path: `/api/v1/sharefolder/${d}/`, body: '{"name":"new_file.txt","is_dir":false,"context":"I am context."}', headers: JSON_TYPE }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect(r.lambda.body).toBe('[{"is_dir":false,"name":"new_file.txt","type":"f"}]');
    expect(r.lambdaKeys).toStrictEqual(['/', '/new_file.txt']);
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('creates a file from a JSON body sent without any content type', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => putObject(`${d}/`),
      (d) => ({ method: 'POST', path: `/api/v1/sharefolder/${d}/`, body: '{"name":"plain","is_dir":false,"content":"no type"}' }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect(r.lambda.body).toBe('[{"is_dir":false,"name":"plain","type":"f"}]');
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('refuses an existing name with 400 and keeps the file', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => {
        await putObject(`${d}/`);
        await putObject(`${d}/taken.txt`, 'original');
      },
      (d) => ({ method: 'POST', path: `/api/v1/sharefolder/${d}/`, body: '{"name":"taken.txt","is_dir":false,"context":"new"}', headers: FORM }),
    );

    // Assess
    expect(r.lambda.status).toBe(400);
    expect(JSON.parse(r.lambda.body)).toStrictEqual({ error: { code: 400, message: expect.stringMatching(/\/taken\.txt already exists$/) as string } });
    expect(JSON.parse(r.local.body)).toStrictEqual(JSON.parse(r.lambda.body.replace('/l-', '/s-')));
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('answers a malformed body (400) and a body over 1 MiB (413) with the envelope the local server sends, and writes nothing', async () => {
    // The envelope itself, on every route, is the local server's (test/integration/http-edge.test.ts):
    // here only that the Lambda edge answers the same.
    const refused: { body: string; headers: Record<string, string>; expected: Seen }[] = [
      { body: '{"name":', headers: JSON_TYPE, expected: { status: 400, contentType: 'application/json', body: '{"error":{"code":400,"message":"Request body is not valid JSON"}}' } },
      {
        body: JSON.stringify({ name: 'big', is_dir: false, context: 'x'.repeat(1024 * 1024) }),
        headers: FORM,
        expected: { status: 413, contentType: 'application/json', body: '{"error":{"code":413,"message":"Request body is larger than 1048576 bytes"}}' },
      },
    ];
    for (const { body, headers, expected } of refused) {
      // Prepare / Act
      const r = await twin(
        async (d) => putObject(`${d}/`),
        (d) => ({ method: 'POST', path: `/api/v1/sharefolder/${d}/`, body, headers }),
      );

      // Assess
      expect(r.lambda).toStrictEqual(r.local);
      expect(r.lambda).toStrictEqual(expected);
      expect(r.lambdaKeys).toStrictEqual(['/']);
      expect(r.lambdaKeys).toStrictEqual(r.localKeys);
    }
  });

  it('deletes a file: 200 with an empty body', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => {
        await putObject(`${d}/`);
        await putObject(`${d}/new_file.json`, '');
        await putObject(`${d}/other.txt`, 'o');
      },
      (d) => ({ method: 'DELETE', path: `/api/v1/sharefolder/${d}/new_file.json`, cookies: COOKIES }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect({ status: r.lambda.status, body: r.lambda.body }).toStrictEqual({ status: 200, body: '' });
    expect(r.lambdaKeys).toStrictEqual(['/', '/other.txt']);
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('deletes a directory with its contents: {}', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => {
        await putObject(`${d}/`);
        await putObject(`${d}/new_folder/`);
        await putObject(`${d}/new_folder/a/b.txt`, 'b');
        await putObject(`${d}/new_folder.txt`, 'sibling');
      },
      (d) => ({ method: 'DELETE', path: `/api/v1/sharefolder/${d}/new_folder/` }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect(r.lambda).toStrictEqual({ status: 200, contentType: 'application/json', body: '{}' });
    expect(r.lambdaKeys).toStrictEqual(['/', '/new_folder.txt']);
    expect(r.lambdaKeys).toStrictEqual(r.localKeys);
  });

  it('refuses a DELETE whose path ends in ".." (it would name the parent directory) and deletes nothing', async () => {
    // Prepare / Act
    const r = await twin(
      async (d) => {
        await putObject(`${d}/`);
        await putObject(`${d}/sub/`);
        await putObject(`${d}/sub/x.txt`, 'x');
      },
      (d) => ({ method: 'DELETE', path: `/api/v1/sharefolder/${d}/sub/..` }),
    );

    // Assess
    expect(r.lambda).toStrictEqual(r.local);
    expect(r.lambda).toStrictEqual({ status: 400, contentType: 'application/json', body: '{"error":{"code":400,"message":"Invalid path: \\"..\\" is not allowed in a path"}}' });
    expect(r.lambdaKeys).toStrictEqual(['/', '/sub/', '/sub/x.txt']);
  });
});

describe('the Lambda entry checks the event\'s rawPath with the same rules as the local server', () => {
  // serverless-http hands hono `rawPath` (and `?rawQueryString`) as the request's url, as sent:
  // the same parser and segment rules as a target on the local server.
  const refusals = [
    { what: 'an encoded ".." directory', path: (d: string) => `/api/v1/sharefolder/${d}/sub/%2e%2e/`, message: 'Invalid path: \\"..\\" is not allowed in a path' },
    { what: 'a leading empty segment', path: (d: string) => `/api/v1/sharefolder//${d}/sub/`, message: 'Invalid path: empty path segment' },
    { what: 'a path of 4000 segments', path: (d: string) => `/api/v1/sharefolder/${d}/${Array.from({ length: 4000 }, () => 'a').join('/')}/`, message: 'Invalid path: paths may be at most 1023 bytes' },
  ];

  it.each(refusals)('refuses a DELETE of $what with 400 and deletes nothing', async ({ path, message }) => {
    // Prepare
    const d = `test/r-${randomUUID().slice(0, 8)}`;
    await putObject(`${d}/`);
    await putObject(`${d}/sub/`);
    await putObject(`${d}/sub/x.txt`, 'x');

    // Act
    const lambda = await viaLambda({ method: 'DELETE', path: path(d) });
    const local = await viaLocalServer({ method: 'DELETE', path: path(d) });

    // Assess
    expect(lambda).toStrictEqual({ status: 400, contentType: 'application/json', body: `{"error":{"code":400,"message":"${message}"}}` });
    expect(local).toStrictEqual(lambda);
    expect(await keysUnder(`${d}/`)).toStrictEqual([`${d}/`, `${d}/sub/`, `${d}/sub/x.txt`]);
  });
});

describe('request headers reach the function through the Lambda entry', () => {
  it('answers 413 from a Content-Length header over 1 MiB before reading the body', async () => {
    // Prepare: a small, valid body whose declared length is over the limit. Only a function
    // that sees the header can refuse it; with the headers lost on the way it would read the
    // small body and create the directory.
    await putObject('test/declared/');
    const body = '{"name":"made","is_dir":true}';

    // Act
    const declaredLarge = await viaLambda({
      method: 'POST',
      path: '/api/v1/sharefolder/test/declared/',
      body,
      headers: { ...FORM, 'content-length': String(2 * 1024 * 1024) },
      cookies: COOKIES,
    });
    const keysAfterRefusal = await keysUnder('test/declared/');
    const declaredTrue = await viaLambda({ method: 'POST', path: '/api/v1/sharefolder/test/declared/', body, headers: FORM, cookies: COOKIES });

    // Assess
    expect(declaredLarge).toStrictEqual({ status: 413, contentType: 'application/json', body: '{"error":{"code":413,"message":"Request body is larger than 1048576 bytes"}}' });
    expect(keysAfterRefusal).toStrictEqual(['test/declared/']);
    expect(declaredTrue).toStrictEqual({ status: 200, contentType: 'application/json', body: '[{"is_dir":true,"name":"made","type":"d"}]' });
    expect(await objectText('test/declared/made/')).toBe('');
  });

  it('answers a route the function does not serve with a 404 envelope', async () => {
    // Prepare: an event routed to the wrong function (a misconfigured route)

    // Act
    const answer = await viaLambda({ method: 'GET', path: '/api/v1/export/' });

    // Assess
    expect(answer).toStrictEqual({ status: 404, contentType: 'application/json', body: '{"error":{"code":404,"message":"No route for GET /api/v1/export/"}}' });
  });
});

describe("requests no route matches (API Gateway's $default route)", () => {
  for (const req of [
    { method: 'GET', path: '/api/v1/nothing-here' },
    { method: 'DELETE', path: '/containerstation/api/v1/export/everything' },
    { method: 'POST', path: '/', body: '{}' },
  ] as Req[]) {
    it(`answers ${req.method} ${req.path} with the 404 envelope, as the local server does`, async () => {
      // Act
      const result = (await notFoundHandler(apiGatewayEvent(req), lambdaContext)) as APIGatewayProxyStructuredResultV2;
      const local = await viaLocalServer(req);
      // Assess
      expect(result.statusCode).toBe(404);
      expect(JSON.parse(result.body ?? '')).toStrictEqual({ error: { code: 404, message: `No route for ${req.method} ${req.path}` } });
      expect({ status: result.statusCode, body: result.body }).toStrictEqual({ status: local.status, body: local.body });
    });
  }
});

describe("known paths asked with another method (API Gateway's $default route)", () => {
  for (const req of [
    { method: 'DELETE', path: '/api/v1/export/progress' },
    { method: 'POST', path: '/containerstation/api/v1/container/lxc/web' },
    { method: 'GET', path: '/container-station/api/v1/container/lxc/web/export' },
  ] as Req[]) {
    it(`answers ${req.method} ${req.path} with 405 and the Allow header the local server sends`, async () => {
      // Act
      const result = (await notFoundHandler(apiGatewayEvent(req), lambdaContext)) as APIGatewayProxyStructuredResultV2;
      const local = await fetch(stack.url + req.path, { method: req.method });
      // Assess
      expect(result.statusCode).toBe(405);
      expect(JSON.parse(result.body ?? '')).toMatchObject({ error: { code: 405 } });
      expect(result.headers?.allow).toBeTruthy();
      expect({ status: result.statusCode, allow: result.headers?.allow, body: result.body }).toStrictEqual({
        status: local.status,
        allow: local.headers.get('allow'),
        body: await local.text(),
      });
    });
  }
});
