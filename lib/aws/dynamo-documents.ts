// DynamoDB as stevedore's stores use it, through a small client of stevedore's own: items and
// expression values as plain JS values (marshalled by @aws-sdk/util-dynamodb, as the SDK's
// document client does), the item operations, paged queries and write transactions. The SDK's
// DynamoDB stack is ~200 KiB of every function's bundle; the stores need none of it.
import { randomUUID } from 'node:crypto';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { ClientFactory } from './client-set.ts';
import { AwsServiceError, isThrottling, requestOptions } from './http-exchange.ts';
import { JsonRequestClient, type SentOperation } from './json-requests.ts';

/** An item as read. */
export type Item = Record<string, unknown>;
/** An item or key to write: any object of plain values (a record's interface too). */
type Values = object;
type Wire = Record<string, unknown>;

interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export interface GetInput {
  TableName: string;
  Key: Values;
  ConsistentRead?: boolean;
}

export interface PutInput extends Expressions {
  TableName: string;
  Item: Values;
}

export interface UpdateInput extends Expressions {
  TableName: string;
  Key: Values;
  UpdateExpression: string;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
}

export interface DeleteInput extends Expressions {
  TableName: string;
  Key: Values;
}

export interface QueryInput extends Omit<Expressions, 'ConditionExpression'> {
  TableName: string;
  /** A global secondary index to query instead of the table (never ConsistentRead). */
  IndexName?: string;
  KeyConditionExpression: string;
  FilterExpression?: string;
  ScanIndexForward?: boolean;
  ConsistentRead?: boolean;
  Limit?: number;
  ExclusiveStartKey?: Values;
}

export interface QueryPage {
  items: Item[];
  /** Where the next page starts; undefined on the last one. */
  lastKey?: Item;
}

export type TransactItem = { Put: PutInput } | { Update: UpdateInput } | { Delete: DeleteInput } | { ConditionCheck: DeleteInput & { ConditionExpression: string } };

export interface CancellationReason {
  /** `None` for an item that did not fail, `ConditionalCheckFailed`, `TransactionConflict`, ... */
  Code: string;
  Message?: string;
}

/** A write's condition did not hold; nothing was written. */
export class ConditionalCheckFailed extends AwsServiceError {}

/** A transaction was cancelled, written by no part: why, item by item in the order sent. */
export class TransactionCanceled extends AwsServiceError {
  get reasons(): CancellationReason[] {
    return (this.details.CancellationReasons as CancellationReason[] | undefined) ?? [];
  }
}

/** DynamoDB refused for the rate, still after the retries (ProvisionedThroughputExceededException, ...). */
export class Throttled extends AwsServiceError {}

const ERRORS: Readonly<Record<string, typeof AwsServiceError>> = { ConditionalCheckFailedException: ConditionalCheckFailed, TransactionCanceledException: TransactionCanceled };
const errorClass = (code: string) => ERRORS[code] ?? (isThrottling(code) ? Throttled : undefined);

const toWire = (values: Values) => marshall(values as Record<string, NativeAttributeValue>, { removeUndefinedValues: true }) as Wire;
const fromWire = (item: Wire | undefined) => (item === undefined ? undefined : (unmarshall(decodeBinary(item) as Parameters<typeof unmarshall>[0]) as Item));

/** A map of attribute values as JSON carries them, its binary ones (base64 there) as bytes. */
function decodeBinary(map: Wire): Wire {
  const decoded: Wire = {};
  for (const [name, value] of Object.entries(map)) decoded[name] = decodeValue(value as Wire);
  return decoded;
}

function decodeValue(value: Wire): Wire {
  const bytes = (text: unknown) => new Uint8Array(Buffer.from(text as string, 'base64'));
  if ('B' in value) return { B: bytes(value.B) };
  if ('BS' in value) return { BS: (value.BS as unknown[]).map(bytes) };
  if ('M' in value) return { M: decodeBinary(value.M as Wire) };
  if ('L' in value) return { L: (value.L as Wire[]).map(decodeValue) };
  return value;
}

/** An input with its key, item and expression values marshalled. */
function marshalled<T extends Partial<{ Key: Values; Item: Values; ExpressionAttributeValues: Values; ExclusiveStartKey: Values }>>(input: T): Wire {
  const wire: Wire = { ...input };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    if (input[field] !== undefined) wire[field] = toWire(input[field]);
  }
  return wire;
}

export class DynamoDocuments {
  constructor(private readonly client: JsonRequestClient) {}

  async get(input: GetInput): Promise<Item | undefined> {
    return fromWire((await this.call<{ Item?: Wire }>('GetItem', marshalled(input))).Item);
  }

  async put(input: PutInput): Promise<void> {
    await this.call('PutItem', marshalled(input));
  }

  /** The attributes ReturnValues asks for, if any. */
  async update(input: UpdateInput): Promise<Item | undefined> {
    return fromWire((await this.call<{ Attributes?: Wire }>('UpdateItem', marshalled(input))).Attributes);
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.call('DeleteItem', marshalled(input));
  }

  async query(input: QueryInput): Promise<QueryPage> {
    const out = await this.call<{ Items?: Wire[]; LastEvaluatedKey?: Wire }>('Query', marshalled(input));
    return { items: (out.Items ?? []).map((item) => fromWire(item)!), lastKey: fromWire(out.LastEvaluatedKey) };
  }

  /** Every page of a query, one after the other. */
  async *queryPages(input: Omit<QueryInput, 'ExclusiveStartKey'>): AsyncGenerator<QueryPage> {
    let start: Values | undefined;
    do {
      const page = await this.query({ ...input, ExclusiveStartKey: start });
      yield page;
      start = page.lastKey;
    } while (start !== undefined);
  }

  /** All of `items` or none; TransactionCanceled names why not. */
  async transactWrite(items: readonly TransactItem[]): Promise<void> {
    const TransactItems = items.map((item) => Object.fromEntries(Object.entries(item).map(([kind, input]) => [kind, marshalled(input as PutInput)])));
    // The same token on every attempt: a transaction that landed but whose answer was lost is
    // answered as a success when asked again, not cancelled by its own conditions.
    await this.call('TransactWriteItems', { TransactItems, ClientRequestToken: randomUUID() });
  }

  /** See JsonRequestClient.watch; inputs as sent (marshalled). */
  watch(seen: (sent: SentOperation) => void): () => void {
    return this.client.watch(seen);
  }

  destroy(): void {
    this.client.destroy();
  }

  private async call<T = unknown>(operation: string, input: Wire): Promise<T> {
    try {
      return await this.client.call<T>(operation, input);
    } catch (err) {
      const Named = err instanceof AwsServiceError ? errorClass(err.code) : undefined;
      if (Named === undefined) throw err;
      const error = err as AwsServiceError;
      throw new Named(error.code, error.message, error.$metadata.httpStatusCode, error.details);
    }
  }
}

export const DYNAMODB = { name: 'DynamoDB', signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', crc32: true } as const;

/** The stores' client (the endpoint from AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL). */
export const dynamoDocuments: ClientFactory<DynamoDocuments> = (config) =>
  new DynamoDocuments(new JsonRequestClient(DYNAMODB, requestOptions(config, config.dynamoEndpoint ?? config.endpoint)));
