// GET /api/v1/login_refresh: the live session renewed for another full lifetime.
import { refreshSession } from '../../lib/auth/login.ts';
import { toLoginAnswer } from '../../lib/auth/model.ts';
import { dynamoAuth } from '../../lib/compose/dynamo-auth.ts';
import { Unauthenticated } from '../../lib/errors.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { currentSession, SESSION_COOKIE, setSessionCookie } from '../../lib/http/session.ts';
import { getCookie } from 'hono/cookie';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.loginRefresh, { auth: dynamoAuth }, async (c, services) => {
  // Even where STEVEDORE_AUTH is `anonymous`: there is nothing to renew without a session.
  const session = currentSession(c);
  if (!session) throw new Unauthenticated('Not logged in');
  const renewed = await refreshSession(services, session);
  setSessionCookie(c, getCookie(c, SESSION_COOKIE)!, renewed);
  return c.json(toLoginAnswer(renewed));
});

export const handler = fn.handler;
