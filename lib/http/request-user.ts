// Who made a request, as the events it causes record it. Until a login middleware sets the
// request's `user` variable, nobody is authenticated: "Anonymous", as tasks say (COMPAT.md).
import type { Context } from 'hono';
import { ANONYMOUS } from '../tasks/submit.ts';

export function requestUser(c: Context): string {
  const user: unknown = c.get('user');
  return typeof user === 'string' && user !== '' ? user : ANONYMOUS;
}
