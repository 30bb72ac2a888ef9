// POST /api/v1/login: a session for a user name and password, sent as a form or as JSON; the
// session's token goes to the client in an HttpOnly cookie only.
import { getConnInfo } from '@hono/node-server/conninfo';
import { logIn } from '../../lib/auth/login.ts';
import { toLoginAnswer } from '../../lib/auth/model.ts';
import { dynamoAuth } from '../../lib/compose/dynamo-auth.ts';
import { readCredentials } from '../../lib/http/body.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { setSessionCookie } from '../../lib/http/session.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.login, { auth: dynamoAuth }, async (c, services) => {
  const { username, password } = await readCredentials(c);
  // The socket's peer: in Lambda, serverless-http sets it to API Gateway's sourceIp, which a
  // client cannot choose (an X-Forwarded-For header it can).
  const address = getConnInfo(c).remote.address ?? 'unknown';
  const { token, session } = await logIn(services, username, password, address);
  setSessionCookie(c, token, session);
  c.set('session', session); // the request now acts as the user who logged in (and is logged as them)
  return c.json(toLoginAnswer(session));
});

export const handler = fn.handler;
