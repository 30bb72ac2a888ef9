// Managing users (`npm run user`): adding, changing a password, removing, listing. There is no
// default user and no default password: a stack answers no login until someone adds a user.
import { NotFound } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import type { AuthStore } from './auth-store.ts';
import { checkPassword, checkUsername, type UserRecord } from './model.ts';
import { hashPassword } from './password.ts';

export async function addUser(auth: AuthStore, username: string, password: string, isAdmin: boolean, now = Date.now()): Promise<void> {
  checkUsername(username);
  const passwordHash = await hashPassword(checkPassword(password));
  await auth.createUser({ username, passwordHash, isAdmin, createdAt: now, passwordChangedAt: now });
}

/** Also ends every session of the user logged in before the change. */
export async function changePassword(auth: AuthStore, username: string, password: string, now = Date.now()): Promise<void> {
  const passwordHash = await hashPassword(checkPassword(password));
  if (!(await auth.setPassword(username, passwordHash, now))) throw new NotFound(`User "${quoteBounded(username)}" not found`);
}

/** Its sessions end with it: a session is valid only while its user exists. */
export async function removeUser(auth: AuthStore, username: string): Promise<void> {
  if (!(await auth.removeUser(username))) throw new NotFound(`User "${quoteBounded(username)}" not found`);
}

export async function listUsers(auth: AuthStore): Promise<Pick<UserRecord, 'username' | 'isAdmin' | 'createdAt'>[]> {
  return (await auth.listUsers()).map(({ username, isAdmin, createdAt }) => ({ username, isAdmin, createdAt })).sort((a, b) => a.username.localeCompare(b.username));
}
