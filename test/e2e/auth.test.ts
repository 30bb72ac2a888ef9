// Logging in where STEVEDORE_AUTH is `required`, as Container Station clients do with curl and a
// cookie jar: the login cycle, every route refusing without a session, cookies that must not
// work, and the limit on failed logins.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manifest } from '../../functions/routes.ts';
import { loginFailureKeys } from '../../lib/auth/login.ts';
import { newSessionToken, sessionTokenHash } from '../../lib/auth/session-token.ts';
import { addUser } from '../../lib/auth/users.ts';
import { SESSION_COOKIE } from '../../lib/http/session.ts';
import { API_PREFIXES, type RouteDefinition } from '../../lib/http/route.ts';
import { call } from '../support/api.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { useTestStack } from '../support/stack.ts';

const LIMIT = 3;
const stack = useTestStack({ STEVEDORE_AUTH: 'required', STEVEDORE_LOGIN_FAILURE_LIMIT: String(LIMIT), STEVEDORE_LOGIN_FAILURE_WINDOW_MINUTES: '15' });

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const LOGIN_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const UNAUTHENTICATED = { error: { code: 401, message: 'Not logged in: POST /api/v1/login first, and send its session cookie' } };
const INVALID = { error: { code: 401, message: 'Invalid username or password' } };

beforeAll(async () => {
  await addUser(stack.services.auth, 'admin', 'correct horse battery', true);
  await addUser(stack.services.auth, 'operator', 'operator password', false);
});

// Every test logs in from the same loopback address: each starts with its failures forgotten.
beforeEach(async () => {
  for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) await stack.services.auth.clearFailures(loginFailureKeys('', address)[1]);
});

const formLogin = (username: string, password: string, headers: Record<string, string> = FORM) =>
  call(stack.url, 'POST', '/api/v1/login', new URLSearchParams({ username, password }).toString(), { headers });

async function loggedIn(username = 'admin', password = 'correct horse battery'): Promise<CookieJar> {
  const jar = new CookieJar();
  const answer = jar.take(await formLogin(username, password));
  expect(answer.status).toBe(200);
  return jar;
}

describe('the login cycle with a cookie jar', () => {
  it('logs in with a form, refreshes and logs out, answering the documented objects', async () => {
    const jar = new CookieJar();
    // Act: curl -c cookies.txt -d "username=admin&password=..." .../login
    const login = jar.take(await formLogin('admin', 'correct horse battery'));
    // Assess
    expect(login.status).toBe(200);
    expect(login.body).toStrictEqual({ anonymous: false, isAdmin: true, logintime: expect.stringMatching(LOGIN_TIME), username: 'admin' });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=28800/);
    expect(cookie).not.toMatch(/; Secure/);

    const refreshed = jar.take(await call(stack.url, 'GET', '/api/v1/login_refresh', undefined, jar.init()));
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toStrictEqual(login.body);
    expect(refreshed.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && /Max-Age=28800/.test(c))).toBe(true);

    const session = await call(stack.url, 'GET', '/api/v1/export/', undefined, jar.init());
    expect(session.status).toBe(200);

    const token = jar.get(SESSION_COOKIE)!;
    const logout = jar.take(await call(stack.url, 'PUT', '/api/v1/logout', undefined, jar.init()));
    expect(logout.status).toBe(200);
    expect(logout.body).toStrictEqual({ username: 'admin' });
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();

    // The revoked cookie, kept by a client that ignored the logout, works no more.
    jar.set(SESSION_COOKIE, token);
    const after = await call(stack.url, 'GET', '/api/v1/login_refresh', undefined, jar.init());
    expect(after.status).toBe(401);
    expect(after.body).toStrictEqual(UNAUTHENTICATED);
  });

  it('logs in with a JSON body, labelled as curl -d labels it or as JSON', async () => {
    for (const headers of [FORM, { 'content-type': 'application/json' }]) {
      const jar = new CookieJar();
      const login = jar.take(await call(stack.url, 'POST', '/api/v1/login', { username: 'operator', password: 'operator password' }, { headers }));
      expect(login.status).toBe(200);
      expect(login.body).toStrictEqual({ anonymous: false, isAdmin: false, logintime: expect.stringMatching(LOGIN_TIME), username: 'operator' });
      expect((await call(stack.url, 'GET', '/api/v1/container', undefined, jar.init())).status).toBe(200);
    }
  });

  it('marks the cookie Secure when the request came over HTTPS, as through API Gateway', async () => {
    const login = await formLogin('admin', 'correct horse battery', { ...FORM, 'x-forwarded-proto': 'https' });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; Secure/);
  });

  it('refuses a login without a user name or password with 400', async () => {
    const answer = await call(stack.url, 'POST', '/api/v1/login', 'username=admin', { headers: FORM });
    expect(answer.status).toBe(400);
    expect(answer.body).toStrictEqual({ error: { code: 400, message: '"username" and "password" are required' } });
  });
});

/** A concrete target of each manifest route (the values do not matter: the gate answers first). */
const SAMPLE_PARAMETERS: Record<string, string> = { type: 'lxc', id: 'gate', path: 'test/gate' };
const targetOf = (route: RouteDefinition, prefix: string = API_PREFIXES[0]) =>
  prefix + route.paths[0]!.replace(/\{(\w+)\+?\}/g, (_, name: string) => SAMPLE_PARAMETERS[name] ?? 'x');

describe('every route of the manifest where a session is required', () => {
  const guarded = manifest.filter((route) => !route.public);

  it('marks only the login and the API\'s description public', () => {
    expect(manifest.filter((route) => route.public).map((route) => route.name)).toEqual(['login', 'openapi', 'docs']);
    expect(guarded.length).toBe(manifest.length - 3);
  });

  it.each(guarded.flatMap((route) => API_PREFIXES.map((prefix) => ({ name: route.name, method: route.method, target: targetOf(route, prefix) }))))(
    'answers $name ($method $target) without a session with 401 in the error envelope',
    async ({ method, target }) => {
      const answer = await call(stack.url, method, target, method === 'POST' || method === 'PUT' ? '{}' : undefined);
      expect(answer.status).toBe(401);
      expect(answer.body).toStrictEqual(UNAUTHENTICATED);
    },
  );

  it.each(guarded.map((route) => ({ name: route.name, method: route.method, target: targetOf(route) })))(
    'lets $name ($method $target) past the gate with a session',
    async ({ method, target }) => {
      const jar = await loggedIn();
      const answer = await call(stack.url, method, target, method === 'POST' || method === 'PUT' ? '{}' : undefined, jar.init());
      expect(answer.status).not.toBe(401);
    },
  );
});

describe('a cookie that is not a live session', () => {
  async function refusedWith(token: string): Promise<void> {
    const jar = new CookieJar();
    jar.set(SESSION_COOKIE, token);
    const answer = await call(stack.url, 'GET', '/api/v1/export/', undefined, jar.init());
    expect(answer.status).toBe(401);
    expect(answer.body).toStrictEqual(UNAUTHENTICATED);
  }

  it('refuses an expired session, though its record is still in the table', async () => {
    const token = newSessionToken();
    const now = Date.now();
    await stack.services.auth.createSession({ tokenHash: sessionTokenHash(token)!, username: 'admin', loginTime: now - 10_000, validUntil: now - 1 });
    await refusedWith(token);
  });

  it('refuses a forged token no login handed out', async () => {
    await refusedWith(newSessionToken());
  });

  it('refuses a real token with one character changed, and one cut short', async () => {
    const token = (await loggedIn()).get(SESSION_COOKIE)!;
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    await refusedWith(token.slice(0, -1) + last);
    await refusedWith(token.slice(0, -1));
    await refusedWith(`${token}x`);
  });

  it('refuses a session of a user whose password changed after it logged in', async () => {
    await addUser(stack.services.auth, 'rotating', 'first password', false);
    const jar = await loggedIn('rotating', 'first password');
    await stack.services.auth.setPassword('rotating', (await stack.services.auth.getUser('rotating'))!.passwordHash, Date.now() + 1);
    const answer = await call(stack.url, 'GET', '/api/v1/login_refresh', undefined, jar.init());
    expect(answer.status).toBe(401);
  });
});

describe('failed logins', () => {
  it('answers a user name no user can have (over the table key\'s 1024 bytes, outside the name rule) as an unknown user', async () => {
    for (const username of ['x'.repeat(2000), 'no/such user']) {
      const answer = await formLogin(username, 'some password');
      expect(answer.status).toBe(401);
      expect(answer.body).toStrictEqual(INVALID);
    }
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const unknown = await formLogin('nobody-here', 'some password');
    const wrong = await formLogin('admin', 'some password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toStrictEqual(INVALID);
    expect(wrong.body).toStrictEqual(INVALID);
    const visible = (r: typeof unknown) => [...r.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'); // both differ per request by design
    expect(visible(unknown)).toStrictEqual(visible(wrong));
  });

  it(`answers 429 with Retry-After after ${LIMIT} failures for a user, even to the right password`, async () => {
    for (let i = 0; i < LIMIT; i++) expect((await formLogin('operator', 'wrong')).status).toBe(401);
    // Failures from elsewhere would count against the user too; forget the address's, so only the user's count.
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) await stack.services.auth.clearFailures(loginFailureKeys('', address)[1]);
    const refused = await formLogin('operator', 'operator password');
    expect(refused.status).toBe(429);
    expect(refused.body).toStrictEqual({ error: { code: 429, message: 'Too many failed logins; try again later' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(15 * 60 - 30);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another user is not limited by it.
    expect((await formLogin('admin', 'correct horse battery')).status).toBe(200);
  });

  it(`answers 429 after ${LIMIT} failures from one address, whatever user names they tried`, async () => {
    for (let i = 0; i < LIMIT; i++) expect((await formLogin(`guess-${i}`, 'wrong')).status).toBe(401);
    const refused = await formLogin('admin', 'correct horse battery');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
