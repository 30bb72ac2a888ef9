// The auth store port: users, sessions and failed-login windows. The DynamoDB adapter keeps
// them in the table (./dynamo-auth-store.ts); unit tests use test/support/memory-auth-store.ts.
import type { SessionRecord, UserRecord } from './model.ts';

/** Failed logins counted for one key (a user, a client address) since `windowStart`. */
export interface FailureWindow {
  count: number;
  /** Epoch milliseconds of the first failure of the window. */
  windowStart: number;
}

export interface AuthStore {
  getUser(username: string): Promise<UserRecord | undefined>;
  /** Refused with NameTaken when the user exists. */
  createUser(user: UserRecord): Promise<void>;
  /** False when there is no such user. */
  setPassword(username: string, passwordHash: string, changedAt: number): Promise<boolean>;
  /** False when there is no such user. */
  removeUser(username: string): Promise<boolean>;
  listUsers(): Promise<UserRecord[]>;

  createSession(session: SessionRecord): Promise<void>;
  /** The stored session, expired or not (the caller checks its expiry against its own clock). */
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Moves the expiry of a session that exists; false when it does not (any more). */
  extendSession(tokenHash: string, validUntil: number): Promise<boolean>;
  deleteSession(tokenHash: string): Promise<void>;

  /** The window of `key` if one is open at `now`. */
  failures(key: string, now: number, windowMs: number): Promise<FailureWindow | undefined>;
  /** Counts one failure: into the open window, or one that starts now. */
  recordFailure(key: string, now: number, windowMs: number): Promise<FailureWindow>;
  clearFailures(key: string): Promise<void>;
}
