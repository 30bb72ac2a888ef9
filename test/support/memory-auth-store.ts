// The auth store in memory, for unit tests of the login logic: the same contract as the
// DynamoDB adapter (lib/auth/dynamo-auth-store.ts), without a table.
import type { AuthStore, FailureWindow } from '../../lib/auth/auth-store.ts';
import type { SessionRecord, UserRecord } from '../../lib/auth/model.ts';
import { NameTaken } from '../../lib/errors.ts';

export class MemoryAuthStore implements AuthStore {
  readonly users = new Map<string, UserRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly windows = new Map<string, FailureWindow>();

  async getUser(username: string) {
    const user = this.users.get(username);
    return user && { ...user };
  }

  async createUser(user: UserRecord) {
    if (this.users.has(user.username)) throw new NameTaken(`User "${user.username}" already exists`);
    this.users.set(user.username, { ...user });
  }

  async setPassword(username: string, passwordHash: string, changedAt: number) {
    const user = this.users.get(username);
    if (!user) return false;
    this.users.set(username, { ...user, passwordHash, passwordChangedAt: changedAt });
    return true;
  }

  async removeUser(username: string) {
    return this.users.delete(username);
  }

  async listUsers() {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  async createSession(session: SessionRecord) {
    this.sessions.set(session.tokenHash, { ...session });
  }

  async getSession(tokenHash: string) {
    const session = this.sessions.get(tokenHash);
    return session && { ...session };
  }

  async extendSession(tokenHash: string, validUntil: number) {
    const session = this.sessions.get(tokenHash);
    if (!session) return false;
    this.sessions.set(tokenHash, { ...session, validUntil });
    return true;
  }

  async deleteSession(tokenHash: string) {
    this.sessions.delete(tokenHash);
  }

  async failures(key: string, now: number, windowMs: number) {
    const window = this.windows.get(key);
    return window && window.windowStart + windowMs > now ? { ...window } : undefined;
  }

  async recordFailure(key: string, now: number, windowMs: number) {
    const open = await this.failures(key, now, windowMs);
    const window = open ? { ...open, count: open.count + 1 } : { count: 1, windowStart: now };
    this.windows.set(key, window);
    return { ...window };
  }

  async clearFailures(key: string) {
    this.windows.delete(key);
  }
}
