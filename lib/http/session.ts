// The session gate every route of the manifest passes through (lib/http/app.ts puts it in
// front of each function's handler): it reads the session cookie, keeps the live session it
// names on the context, and where STEVEDORE_AUTH is `required` refuses every request without
// one, except on the route the manifest marks public (the login). A new endpoint gets it by
// being an entry of the manifest; there is nothing for its module to forget.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sessionOf } from '../auth/login.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import type { Session } from '../auth/model.ts';
import type { AuthMode } from '../config.ts';
import { Unauthenticated } from '../errors.ts';
import { ANONYMOUS } from '../tasks/submit.ts';
import type { RouteDefinition } from './route.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

declare module 'hono' {
  interface ContextVariableMap {
    session: Session | undefined;
  }
}

export { SESSION_COOKIE } from './session-cookie.ts';

export interface GateServices {
  readonly config: { readonly auth: AuthMode };
  readonly auth: AuthStore;
}

export function sessionGate(route: RouteDefinition, services: GateServices): MiddlewareHandler {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    // In `anonymous` mode a stale cookie is no reason to refuse: the request is anonymous.
    const session = token === undefined ? undefined : await sessionOf(services, token);
    c.set('session', session);
    if (!session && !route.public && services.config.auth === 'required') throw new Unauthenticated('Not logged in: POST /api/v1/login first, and send its session cookie');
    await next();
  };
}

export function currentSession(c: Context): Session | undefined {
  return c.get('session');
}

/** Who a request acts as, as task records name them. */
export function requestUser(c: Context): string {
  return currentSession(c)?.username ?? ANONYMOUS;
}

/** Behind API Gateway the function is reached over HTTP; the gateway says how the client came. */
function overHttps(c: Context): boolean {
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https' || new URL(c.req.url).protocol === 'https:';
}

export function setSessionCookie(c: Context, token: string, session: Session, now = Date.now()): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: overHttps(c),
    maxAge: Math.max(0, Math.ceil((session.validUntil - now) / 1000)),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: overHttps(c) });
}
