// PUT /api/v1/logout: the session ends, in the table as in the client's cookie jar.
import { logOut } from '../../lib/auth/login.ts';
import { toLogoutAnswer } from '../../lib/auth/model.ts';
import { dynamoAuth } from '../../lib/compose/dynamo-auth.ts';
import { Unauthenticated } from '../../lib/errors.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { clearSessionCookie, currentSession } from '../../lib/http/session.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.logout, { auth: dynamoAuth }, async (c, services) => {
  const session = currentSession(c);
  if (!session) throw new Unauthenticated('Not logged in');
  await logOut(services, session);
  clearSessionCookie(c);
  return c.json(toLogoutAnswer(session));
});

export const handler = fn.handler;
