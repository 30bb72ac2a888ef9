// Session tokens: 256 random bits the client holds in its cookie. The table keeps only their
// SHA-256, so whoever reads the table (a backup, a log of items) cannot use a session.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token, or undefined for anything that is not one (no read needed to refuse it). */
export function sessionTokenHash(token: string): string | undefined {
  return TOKEN.test(token) ? createHash('sha256').update(token).digest('hex') : undefined;
}
