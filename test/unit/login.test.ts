// The login logic on the in-memory auth store, with a clock of the test's own: windows that
// end, sessions that expire, refreshes that extend them, and the same answer whether or not
// the user exists.
import { describe, expect, it } from 'vitest';
import { logIn, logOut, refreshSession, sessionOf, type AuthServices } from '../../lib/auth/login.ts';
import { hashPassword, verifyPassword } from '../../lib/auth/password.ts';
import { addUser, changePassword, removeUser } from '../../lib/auth/users.ts';
import { TooManyAttempts, Unauthenticated } from '../../lib/errors.ts';
import { MemoryAuthStore } from '../support/memory-auth-store.ts';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1, 12);

async function services(): Promise<AuthServices & { auth: MemoryAuthStore }> {
  const auth = new MemoryAuthStore();
  await addUser(auth, 'admin', 'right password', true, T0 - HOUR);
  return { auth, config: { sessionTtlMs: 8 * HOUR, loginFailureLimit: 2, loginFailureWindowMs: 15 * 60_000 } };
}

async function refusal(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => expect.fail('the login succeeded'),
    (err: unknown) => err,
  );
}

describe('password hashes', () => {
  it('verifies the password a hash was made from and no other, and salts every hash', async () => {
    const first = await hashPassword('the password');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('the password')).not.toBe(first);
    expect(await verifyPassword('the password', first)).toBe(true);
    expect(await verifyPassword('the passworD', first)).toBe(false);
    expect(await verifyPassword('the password', 'not a hash')).toBe(false);
  });
});

describe('a login', () => {
  it('opens a session that lives its lifetime, which a refresh extends and a logout ends', async () => {
    const s = await services();
    const { token, session } = await logIn(s, 'admin', 'right password', '10.0.0.1', T0);
    expect(session).toMatchObject({ username: 'admin', isAdmin: true, loginTime: T0, validUntil: T0 + 8 * HOUR });
    expect([...s.auth.sessions.keys()]).toEqual([session.tokenHash]);
    expect(JSON.stringify([...s.auth.sessions.values()])).not.toContain(token);

    expect(await sessionOf(s, token, T0 + 8 * HOUR - 1)).toBeDefined();
    expect(await sessionOf(s, token, T0 + 8 * HOUR)).toBeUndefined();

    const renewed = await refreshSession(s, session, T0 + 7 * HOUR);
    expect(renewed.validUntil).toBe(T0 + 15 * HOUR);
    expect(await sessionOf(s, token, T0 + 14 * HOUR)).toMatchObject({ loginTime: T0 });

    await logOut(s, renewed);
    expect(await sessionOf(s, token, T0 + 7 * HOUR)).toBeUndefined();
    await expect(refreshSession(s, renewed, T0 + 7 * HOUR)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('ends with a password change or the removal of its user', async () => {
    const s = await services();
    const first = await logIn(s, 'admin', 'right password', '10.0.0.1', T0);
    await changePassword(s.auth, 'admin', 'new password!', T0 + 1);
    expect(await sessionOf(s, first.token, T0 + 2)).toBeUndefined();
    const second = await logIn(s, 'admin', 'new password!', '10.0.0.1', T0 + 2);
    expect(await sessionOf(s, second.token, T0 + 3)).toBeDefined();
    await removeUser(s.auth, 'admin');
    expect(await sessionOf(s, second.token, T0 + 3)).toBeUndefined();
  });

  it('fails alike for an unknown user and a wrong password, counting both', async () => {
    const s = await services();
    const unknown = await refusal(logIn(s, 'nobody', 'right password', '10.0.0.1', T0));
    const wrong = await refusal(logIn(s, 'admin', 'wrong password', '10.0.0.2', T0));
    expect(unknown).toStrictEqual(wrong);
    expect((unknown as Error).message).toBe('Invalid username or password');
    expect([...s.auth.windows.values()].map((w) => w.count)).toEqual([1, 1, 1, 1]);
  });

  it('is refused past the limit until the window of the first failure ends, then allowed again', async () => {
    const s = await services();
    await refusal(logIn(s, 'admin', 'wrong', '10.0.0.1', T0));
    await refusal(logIn(s, 'admin', 'wrong', '10.0.0.2', T0 + 60_000));
    const throttled = await refusal(logIn(s, 'admin', 'right password', '10.0.0.3', T0 + 120_000));
    expect(throttled).toBeInstanceOf(TooManyAttempts);
    expect((throttled as TooManyAttempts).retryAfterSeconds).toBe(13 * 60);
    // The address that failed twice is refused for another user too.
    const other = new MemoryAuthStore();
    await addUser(other, 'x', 'x password', false, T0);
    const s2 = { ...s, auth: other };
    await refusal(logIn(s2, 'a', 'wrong', '10.9.9.9', T0));
    await refusal(logIn(s2, 'b', 'wrong', '10.9.9.9', T0));
    expect(await refusal(logIn(s2, 'x', 'x password', '10.9.9.9', T0))).toBeInstanceOf(TooManyAttempts);

    const later = await logIn(s, 'admin', 'right password', '10.0.0.3', T0 + 15 * 60_000);
    expect(later.session.username).toBe('admin');
  });
});
