// The auth store in the DynamoDB table. Users share one partition (they are listed); each
// session and each failed-login window is its own partition, read by key only, and carries
// the table's TTL attribute so that DynamoDB removes it some time after it ends.
import { ConditionalCheckFailed, type DynamoDocuments } from '../aws/dynamo-documents.ts';
import { queryPartition } from '../aws/query.ts';
import { TTL_ATTRIBUTE } from '../aws/table.ts';
import { NameTaken } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import type { AuthStore, FailureWindow } from './auth-store.ts';
import type { SessionRecord, UserRecord } from './model.ts';

const USER_PK = 'USER';
const sessionKey = (tokenHash: string) => ({ pk: `SESSION#${tokenHash}`, sk: 'SESSION' });
const failureKey = (key: string) => ({ pk: `LOGIN_FAILURES#${key}`, sk: 'WINDOW' });
const ttl = (epochMs: number) => Math.ceil(epochMs / 1000);

const isConditionFailure = (err: unknown) => err instanceof ConditionalCheckFailed;

export class DynamoAuthStore implements AuthStore {
  constructor(
    private readonly doc: DynamoDocuments,
    private readonly table: string,
  ) {}

  async getUser(username: string): Promise<UserRecord | undefined> {
    const item = await this.get({ pk: USER_PK, sk: username });
    return item && toUser(item);
  }

  async createUser(user: UserRecord): Promise<void> {
    try {
      await this.doc.put({ TableName: this.table, Item: { pk: USER_PK, sk: user.username, ...user }, ConditionExpression: 'attribute_not_exists(pk)' });
    } catch (err) {
      if (isConditionFailure(err)) throw new NameTaken(`User "${quoteBounded(user.username)}" already exists`);
      throw err;
    }
  }

  async setPassword(username: string, passwordHash: string, changedAt: number): Promise<boolean> {
    return this.updateIfExists(
      { pk: USER_PK, sk: username },
      'SET passwordHash = :hash, passwordChangedAt = :at',
      { ':hash': passwordHash, ':at': changedAt },
    );
  }

  async removeUser(username: string): Promise<boolean> {
    try {
      await this.doc.delete({ TableName: this.table, Key: { pk: USER_PK, sk: username }, ConditionExpression: 'attribute_exists(pk)' });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await queryPartition<Record<string, unknown>>(this.doc, this.table, USER_PK)).map(toUser);
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.doc.put({ TableName: this.table, Item: { ...sessionKey(session.tokenHash), ...session, [TTL_ATTRIBUTE]: ttl(session.validUntil) }, ConditionExpression: 'attribute_not_exists(pk)' });
  }

  async getSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const item = await this.get(sessionKey(tokenHash));
    if (!item) return undefined;
    return { tokenHash: item.tokenHash as string, username: item.username as string, loginTime: item.loginTime as number, validUntil: item.validUntil as number };
  }

  extendSession(tokenHash: string, validUntil: number): Promise<boolean> {
    // `validUntil` is what is checked (milliseconds); the TTL attribute (seconds) only lets DynamoDB clean up.
    return this.updateIfExists(sessionKey(tokenHash), 'SET validUntil = :until, #ttl = :ttl', { ':until': validUntil, ':ttl': ttl(validUntil) }, { '#ttl': TTL_ATTRIBUTE });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.doc.delete({ TableName: this.table, Key: sessionKey(tokenHash) });
  }

  async failures(key: string, now: number, windowMs: number): Promise<FailureWindow | undefined> {
    const item = await this.get(failureKey(key));
    if (!item || (item.windowStart as number) + windowMs <= now) return undefined;
    return { count: item.count as number, windowStart: item.windowStart as number };
  }

  async recordFailure(key: string, now: number, windowMs: number): Promise<FailureWindow> {
    try {
      // Into the open window: one atomic add, so concurrent failures are all counted.
      const window = await this.doc.update({
        TableName: this.table,
        Key: failureKey(key),
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: 'windowStart > :opened',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':opened': now - windowMs },
        ReturnValues: 'ALL_NEW',
      });
      return { count: window!.count as number, windowStart: window!.windowStart as number };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // None open: this failure opens one. Two racing here lose one count at most, never a window.
    await this.doc.put({ TableName: this.table, Item: { ...failureKey(key), count: 1, windowStart: now, [TTL_ATTRIBUTE]: ttl(now + windowMs) } });
    return { count: 1, windowStart: now };
  }

  async clearFailures(key: string): Promise<void> {
    await this.doc.delete({ TableName: this.table, Key: failureKey(key) });
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    return this.doc.get({ TableName: this.table, Key: key, ConsistentRead: true });
  }

  private async updateIfExists(key: { pk: string; sk: string }, update: string, values: Record<string, unknown>, names?: Record<string, string>): Promise<boolean> {
    try {
      await this.doc.update({ TableName: this.table, Key: key, UpdateExpression: update, ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: values, ExpressionAttributeNames: names });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}

function toUser(item: Record<string, unknown>): UserRecord {
  return {
    username: item.username as string,
    passwordHash: item.passwordHash as string,
    isAdmin: item.isAdmin === true,
    createdAt: item.createdAt as number,
    passwordChangedAt: item.passwordChangedAt as number,
  };
}
