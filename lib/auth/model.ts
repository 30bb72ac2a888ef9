// Users and sessions as the auth store keeps them. A password is never stored, only its hash
// (./password.ts); a session token never, only its SHA-256 (./session-token.ts).
import { InvalidInput } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import type { LoginAnswer, LogoutAnswer } from './api-schema.ts';

export interface UserRecord {
  username: string;
  passwordHash: string;
  isAdmin: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last password change: sessions logged in before it are no longer valid. */
  passwordChangedAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  username: string;
  /** Epoch milliseconds of the login (what `logintime` reports). */
  loginTime: number;
  /** Epoch milliseconds after which the session is no longer valid. */
  validUntil: number;
}

/** A live session, with what its user is now. */
export interface Session extends SessionRecord {
  isAdmin: boolean;
}

export const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;

export function checkUsername(username: string): string {
  if (!USERNAME.test(username)) throw new InvalidInput(`Invalid user name "${quoteBounded(username)}": 1-64 letters, digits, _ . @ -, starting with a letter or digit`);
  return username;
}

/** A password long enough to resist guessing within the login limits, short enough to hash cheaply. */
export function checkPassword(password: string): string {
  if (password.length < 8) throw new InvalidInput('The password must have at least 8 characters');
  if (Buffer.byteLength(password) > 1024) throw new InvalidInput('The password must have at most 1024 bytes');
  return password;
}

/** `YYYY-MM-DD HH:MM:SS`, in UTC (a deployed stack has no other local time). */
function loginTimeText(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** What login and login_refresh answer (COMPAT.md "Authentication"). */
export function toLoginAnswer(session: Session): LoginAnswer {
  return { anonymous: false, isAdmin: session.isAdmin, logintime: loginTimeText(session.loginTime), username: session.username };
}

/** What logout answers: whose session ended. */
export function toLogoutAnswer(session: Session): LogoutAnswer {
  return { username: session.username };
}
