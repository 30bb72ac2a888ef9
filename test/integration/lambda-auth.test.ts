// The Lambda entry points where STEVEDORE_AUTH is `required` (as the deployed stack sets it),
// given API Gateway HTTP API (payload 2.0) events with and without the session cookie: the
// login answers its cookie in the result's `cookies`, and every other function lets only a
// request carrying it through.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as loginHandler } from '../../functions/auth/login.ts';
import { handler as logoutHandler } from '../../functions/auth/logout.ts';
import { handler as refreshHandler } from '../../functions/auth/refresh.ts';
import { handler as containerCreateHandler } from '../../functions/container/create.ts';
import { handler as exportCreateHandler } from '../../functions/export/create.ts';
import { handler as exportListHandler } from '../../functions/export/list.ts';
import { handler as sharefolderListHandler } from '../../functions/sharefolder/list.ts';
import { addUser } from '../../lib/auth/users.ts';
import { SESSION_COOKIE } from '../../lib/http/session.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_AUTH: 'required' });

type Handler = (event: object, context: object) => Promise<object>;

function event(method: string, path: string, options: { body?: string; cookies?: string[]; routeKey?: string } = {}): APIGatewayProxyEventV2 {
  const now = new Date();
  const routeKey = options.routeKey ?? `${method} ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers: {
      accept: '*/*',
      host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-forwarded-for': '198.51.100.23',
      'x-forwarded-proto': 'https',
      ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(options.body)) } : {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.23', userAgent: 'curl/8.5.0' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
}

const context = { functionName: 'stevedore', awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 };

async function invoke(handler: Handler, ev: APIGatewayProxyEventV2): Promise<{ status: number; body: any; cookies: string[] }> {
  const result = (await handler(ev, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null'), cookies: result.cookies ?? [] };
}

async function lambdaLogin(): Promise<string> {
  const answer = await invoke(loginHandler, event('POST', '/api/v1/login', { body: 'username=admin&password=correct+horse+battery' }));
  expect(answer.status).toBe(200);
  const cookie = answer.cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
  expect(cookie).toMatch(/; HttpOnly/);
  expect(cookie).toMatch(/; SameSite=Strict/);
  // API Gateway is reached over HTTPS: the cookie is never sent over plain HTTP.
  expect(cookie).toMatch(/; Secure/);
  return cookie.split(';')[0]!;
}

beforeAll(async () => {
  await addUser(stack.services.auth, 'admin', 'correct horse battery', true);
  await provisionDemoImage(stack.services.builtinRuntime);
});

describe('the Lambda entry points where a session is required', () => {
  const guarded: [string, Handler, APIGatewayProxyEventV2][] = [
    ['export-list', exportListHandler, event('GET', '/api/v1/export')],
    ['sharefolder-list', sharefolderListHandler, event('GET', '/api/v1/sharefolder')],
    ['login-refresh', refreshHandler, event('GET', '/api/v1/login_refresh')],
    ['logout', logoutHandler, event('PUT', '/api/v1/logout')],
  ];

  it.each(guarded)('%s answers 401 in the envelope without the cookie', async (_, handler, ev) => {
    const answer = await invoke(handler, ev);
    expect(answer.status).toBe(401);
    expect(answer.body).toStrictEqual({ error: { code: 401, message: 'Not logged in: POST /api/v1/login first, and send its session cookie' } });
  });

  it.each(guarded)('%s answers 401 with a cookie no login handed out', async (_, handler, ev) => {
    const answer = await invoke(handler, { ...ev, cookies: [`${SESSION_COOKIE}=${'A'.repeat(43)}`] });
    expect(answer.status).toBe(401);
  });

  it('serves a request with the cookie the login function handed out, and records its user on the task', async () => {
    const cookie = await lambdaLogin();
    const cookies = ['lang=en', cookie];
    expect((await invoke(exportListHandler, event('GET', '/api/v1/export', { cookies }))).status).toBe(200);
    expect((await invoke(sharefolderListHandler, event('GET', '/api/v1/sharefolder', { cookies }))).status).toBe(200);
    const refreshed = await invoke(refreshHandler, event('GET', '/api/v1/login_refresh', { cookies }));
    expect(refreshed.body).toMatchObject({ anonymous: false, isAdmin: true, username: 'admin' });

    const created = await invoke(containerCreateHandler, event('POST', '/api/v1/container', { cookies, body: JSON.stringify({ type: 'lxc', name: 'lambda-user', image: 'demo', tag: 'latest' }) }));
    expect(created.status).toBe(200);
    const exported = await invoke(
      exportCreateHandler,
      event('POST', '/api/v1/container/lxc/lambda-user/export', { cookies, routeKey: 'POST /api/v1/container/{type}/{id}/export', body: JSON.stringify({ path: 'test/lambda-user.tar' }) }),
    );
    expect(exported.status).toBe(200);
    expect(exported.body.user).toBe('admin');

    const logout = await invoke(logoutHandler, event('PUT', '/api/v1/logout', { cookies }));
    expect(logout.body).toStrictEqual({ username: 'admin' });
    expect((await invoke(exportListHandler, event('GET', '/api/v1/export', { cookies }))).status).toBe(401);
  });

  it('answers a wrong password through the login function with 401 and no cookie', async () => {
    const answer = await invoke(loginHandler, event('POST', '/api/v1/login', { body: 'username=admin&password=wrong' }));
    expect(answer.status).toBe(401);
    expect(answer.body).toStrictEqual({ error: { code: 401, message: 'Invalid username or password' } });
    expect(answer.cookies).toEqual([]);
  });
});
