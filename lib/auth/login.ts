// Logging in, checking a session, renewing and ending it. A login that fails answers the same
// whether or not the user exists, after the same work (a hash verified against a dummy), and
// failures are counted per user and per client address: past the limit, logins are refused
// until the window that counted them ends.
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import { TooManyAttempts, Unauthenticated } from '../errors.ts';
import type { AuthStore } from './auth-store.ts';
import { USERNAME, type Session, type SessionRecord } from './model.ts';
import { dummyHash, verifyPassword } from './password.ts';
import { newSessionToken, sessionTokenHash } from './session-token.ts';

export interface AuthServices {
  readonly config: Pick<Config, 'sessionTtlMs' | 'loginFailureLimit' | 'loginFailureWindowMs'>;
  readonly auth: AuthStore;
}

export const INVALID_LOGIN = 'Invalid username or password';

/** Failure keys: a user name of any length or case hashed to a bounded key (it need not exist). */
const userKey = (username: string) => `user#${createHash('sha256').update(username).digest('hex')}`;
const addressKey = (address: string) => `address#${address}`;

/** The keys a failed login counts under: its user name's, and its client address's. */
export const loginFailureKeys = (username: string, clientAddress: string) => [userKey(username), addressKey(clientAddress)] as const;

export interface LoggedIn {
  /** What the cookie carries; nothing else ever holds it. */
  token: string;
  session: Session;
}

export async function logIn({ auth, config }: AuthServices, username: string, password: string, clientAddress: string, now = Date.now()): Promise<LoggedIn> {
  const keys = loginFailureKeys(username, clientAddress);
  const windows = await Promise.all(keys.map((key) => auth.failures(key, now, config.loginFailureWindowMs)));
  const full = windows.filter((w) => w !== undefined && w.count >= config.loginFailureLimit);
  if (full.length > 0) {
    const until = Math.max(...full.map((w) => w!.windowStart + config.loginFailureWindowMs));
    throw new TooManyAttempts('Too many failed logins; try again later', Math.max(1, Math.ceil((until - now) / 1000)));
  }

  // A name outside the rule cannot be a user's, and may be too long to look up (a table key
  // holds at most 1024 bytes): it fails like an unknown user, without the lookup.
  const user = USERNAME.test(username) ? await auth.getUser(username) : undefined;
  // The same hashing for an unknown user as for a known one with a wrong password.
  const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !matches) {
    await Promise.all(keys.map((key) => auth.recordFailure(key, now, config.loginFailureWindowMs)));
    throw new Unauthenticated(INVALID_LOGIN);
  }
  await auth.clearFailures(keys[0]!);

  const token = newSessionToken();
  const record: SessionRecord = { tokenHash: sessionTokenHash(token)!, username: user.username, loginTime: now, validUntil: now + config.sessionTtlMs };
  await auth.createSession(record);
  return { token, session: { ...record, isAdmin: user.isAdmin } };
}

/**
 * The live session a cookie's token names, or undefined: an unknown, malformed, expired or
 * revoked token, a removed user, or a login older than the user's last password change.
 */
export async function sessionOf({ auth }: Pick<AuthServices, 'auth'>, token: string, now = Date.now()): Promise<Session | undefined> {
  const tokenHash = sessionTokenHash(token);
  if (tokenHash === undefined) return undefined;
  const session = await auth.getSession(tokenHash);
  // DynamoDB's TTL deletes expired items within days, not at once: the expiry is checked here.
  if (!session || session.validUntil <= now) return undefined;
  const user = await auth.getUser(session.username);
  if (!user || user.passwordChangedAt > session.loginTime) return undefined;
  return { ...session, isAdmin: user.isAdmin };
}

/** A session renewed for another full lifetime from now. */
export async function refreshSession({ auth, config }: AuthServices, session: Session, now = Date.now()): Promise<Session> {
  const validUntil = now + config.sessionTtlMs;
  if (!(await auth.extendSession(session.tokenHash, validUntil))) throw new Unauthenticated('The session has ended; log in again');
  return { ...session, validUntil };
}

export async function logOut({ auth }: Pick<AuthServices, 'auth'>, session: Session): Promise<void> {
  await auth.deleteSession(session.tokenHash);
}
