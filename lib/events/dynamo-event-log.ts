// The event log in the DynamoDB table. Events live under one partition, sorted by their
// number; a counter item holds the newest number. Every event is written in one
// TransactWriteItems with the counter's move from n to n+1 (conditional on it still being n)
// and, for a task's state change, the task's own conditional update: so numbers are handed out
// in commit order with no gaps (a reader that sees the counter at n finds events 1..n, which
// makes paging stable), an event exists exactly when its change does, and a change retried
// after it landed fails its own condition and writes no second event. Writers that race for
// the same number retry with the counter's new value. One partition and one counter suit the
// rate of task and container changes, not a firehose.
import { TransactionCanceled, type DynamoDocuments, type TransactItem } from '../aws/dynamo-documents.ts';
import { TTL_ATTRIBUTE } from '../aws/table.ts';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../config.ts';
import { sleep } from '../sleep.ts';
import type { EventLog } from './event-log.ts';
import type { LoggedEvent, NewEvent } from './model.ts';

const EVENT_PK = 'EVENT';
const COUNTER_KEY = { pk: 'COUNTER', sk: 'events' };
/** Races for a number are lost only to other writers' commits; this many losses in a row is an outage. */
const MAX_ATTEMPTS = 25;

export type TransactItems = TransactItem[];

const eventSortKey = (seq: number) => seq.toString().padStart(12, '0');

export class DynamoEventLog implements EventLog {
  constructor(
    private readonly doc: DynamoDocuments,
    private readonly table: string,
    private readonly retentionSeconds = DEFAULT_EVENT_RETENTION_DAYS * 24 * 3600,
  ) {}

  async append(event: NewEvent): Promise<void> {
    await this.writeWith([], event);
  }

  /**
   * Writes `items` and the event in one transaction. False, writing nothing, when one of
   * `items` failed its condition (the change it stands for had already happened or moved on).
   */
  async writeWith(items: TransactItems, event: NewEvent): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const newest = await this.newest();
      const seq = newest + 1;
      try {
        await this.doc.transactWrite([...items, this.counterMove(newest), this.eventPut(seq, event)]);
        return true;
      } catch (err) {
        if (!(err instanceof TransactionCanceled)) throw err;
        if (err.reasons.slice(0, items.length).some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
        // Another writer took the number (or the items were busy): try again with the next one.
        if (attempt >= MAX_ATTEMPTS) throw err;
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  async newest(): Promise<number> {
    const counter = await this.doc.get({ TableName: this.table, Key: COUNTER_KEY, ConsistentRead: true });
    return Number(counter?.value ?? 0);
  }

  async between(from: number, to: number): Promise<LoggedEvent[]> {
    const { items } = await this.doc.query({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': EVENT_PK, ':from': eventSortKey(from), ':to': eventSortKey(to) },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map((item) => ({ seq: item.seq, category: item.category, user: item.user, epoch: item.epoch, payload: item.payload }) as LoggedEvent);
  }

  private counterMove(from: number): TransactItems[number] {
    return {
      Update: {
        TableName: this.table,
        Key: COUNTER_KEY,
        UpdateExpression: 'SET #v = :next',
        ConditionExpression: from === 0 ? 'attribute_not_exists(#v)' : '#v = :from',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: from === 0 ? { ':next': 1 } : { ':next': from + 1, ':from': from },
      },
    };
  }

  private eventPut(seq: number, event: NewEvent): TransactItems[number] {
    const item: LoggedEvent & { pk: string; sk: string; [TTL_ATTRIBUTE]: number } = {
      pk: EVENT_PK,
      sk: eventSortKey(seq),
      seq,
      ...event,
      [TTL_ATTRIBUTE]: event.epoch + this.retentionSeconds,
    };
    return { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
}
