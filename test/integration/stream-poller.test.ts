// The local stream poller plays Lambda's event source mapping: it must hand the worker the
// same records, filtered the same way, in batches, and retry a partially failed batch from
// the lowest failed sequence number, a bounded number of times.
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { isNewWaitingTask } from '../../lib/worker/stream.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
let poller: StreamPoller | undefined;
let nextId = 1;

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

async function putWaitingTask(): Promise<number> {
  const id = nextId++;
  await stack.aws.doc.put({ TableName: stack.cfg.tableName, Item: { pk: 'TASK#poller-test', sk: String(id).padStart(6, '0'), recordType: 'task', state: 'waiting', id } });
  return id;
}

function idOf(record: DynamoDBRecord): number {
  return Number(record.dynamodb!.NewImage!.id!.N);
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startPoller(handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>, options: { batchSize?: number; maxRetries?: number } = {}) {
  poller = new StreamPoller({ tableName: stack.cfg.tableName, aws: stack.aws, handler, filter: isNewWaitingTask, idleDelayMs: 50, ...options });
  return poller.start();
}

describe('local stream poller', () => {
  it('delivers INSERTs of waiting tasks in Lambda event shape, and nothing else', async () => {
    // Prepare: everything written so far is on the stream, from the start of the shard
    const seen: DynamoDBRecord[] = [];
    const id = await putWaitingTask();
    await stack.aws.doc.update({ TableName: stack.cfg.tableName, Key: { pk: 'TASK#poller-test', sk: String(id).padStart(6, '0') }, UpdateExpression: 'SET #s = :r', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':r': 'running' } });
    await stack.aws.doc.put({ TableName: stack.cfg.tableName, Item: { pk: 'OTHER', sk: 'x', recordType: 'counter' } });
    const marker = await putWaitingTask();
    // Act
    await startPoller(async (event) => {
      seen.push(...event.Records);
      return { batchItemFailures: [] };
    });
    await until(() => seen.some((r) => idOf(r) === marker));
    // Assess
    expect(seen.map(idOf)).toEqual([id, marker]);
    const record = seen[0]!;
    expect(record).toMatchObject({ eventName: 'INSERT', eventSource: 'aws:dynamodb', eventVersion: '1.1' });
    expect(record.eventSourceARN).toMatch(/stream/);
    expect(record.dynamodb).toMatchObject({ StreamViewType: 'NEW_IMAGE', Keys: { pk: { S: 'TASK#poller-test' } }, NewImage: { state: { S: 'waiting' } } });
    expect(typeof record.dynamodb!.SequenceNumber).toBe('string');
  });

  it('retries a batch from the lowest failed sequence number', async () => {
    // Prepare: three new tasks; the handler fails the second one the first time
    const ids = [await putWaitingTask(), await putWaitingTask(), await putWaitingTask()];
    const deliveries: number[][] = [];
    let failedOnce = false;
    // Act
    await startPoller(async (event) => {
      const batch = event.Records.map(idOf).filter((id) => ids.includes(id));
      if (batch.length > 0) deliveries.push(batch);
      const second = event.Records.find((r) => idOf(r) === ids[1]);
      if (second && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb!.SequenceNumber! }] };
      }
      return { batchItemFailures: [] };
    }, { batchSize: 10 });
    await until(() => deliveries.flat().filter((id) => id === ids[2]).length >= 2);
    // Assess: the first record is not redelivered; the failed one and everything after it is
    expect(deliveries[0]).toEqual(ids);
    expect(deliveries[1]).toEqual([ids[1], ids[2]]);
  });

  it('gives up on a record after the retry limit, and goes on with the stream', async () => {
    // Prepare
    const poison = await putWaitingTask();
    const after = await putWaitingTask();
    const attempts: number[] = [];
    let sawAfter = false;
    // Act
    await startPoller(async (event) => {
      const failures = [];
      for (const record of event.Records) {
        if (idOf(record) === poison) {
          attempts.push(poison);
          failures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
          break;
        }
        if (idOf(record) === after) sawAfter = true;
      }
      return { batchItemFailures: failures };
    }, { batchSize: 1, maxRetries: 2 });
    await until(() => sawAfter);
    // Assess: one delivery plus two retries
    expect(attempts).toEqual([poison, poison, poison]);
  });

  it('honours the batch size', async () => {
    // Prepare
    const ids = await Promise.all(Array.from({ length: 5 }, () => putWaitingTask()));
    const batches: number[][] = [];
    // Act
    await startPoller(async (event) => {
      batches.push(event.Records.map(idOf));
      return { batchItemFailures: [] };
    }, { batchSize: 2 });
    await until(() => ids.every((id) => batches.flat().includes(id)));
    // Assess
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
  });

  it('treats a handler that throws as a failure of the whole batch', async () => {
    // Prepare
    const id = await putWaitingTask();
    let calls = 0;
    // Act
    await startPoller(async (event) => {
      if (event.Records.some((r) => idOf(r) === id)) {
        calls++;
        if (calls === 1) throw new Error('worker crashed');
      }
      return { batchItemFailures: [] };
    });
    await until(() => calls >= 2);
    // Assess
    expect(calls).toBe(2);
  });
});
