// The worker's guarantees, driven through its Lambda entry point with stream records built
// from the real table items: one run per task whatever the deliveries, failures that leave
// no archive and no running task, one unfinished export per path.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as workerHandler } from '../../functions/worker/tasks.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { taskKey } from '../../lib/tasks/store.ts';
import { call } from '../support/api.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
let sequence = 1000;

/** The stream record DynamoDB would deliver for the INSERT of this task. */
async function insertRecordOf(id: number): Promise<DynamoDBRecord> {
  const item = await stack.aws.dynamo.send(new GetItemCommand({ TableName: stack.cfg.tableName, Key: { pk: { S: taskKey('export', id).pk }, sk: { S: taskKey('export', id).sk } } }));
  return {
    eventID: `event-${id}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: stack.cfg.region,
    dynamodb: { Keys: { pk: item.Item!.pk, sk: item.Item!.sk } as never, NewImage: item.Item as never, SequenceNumber: String(sequence++), SizeBytes: 100, StreamViewType: 'NEW_IMAGE' },
  };
}

async function storedTask(id: number): Promise<Record<string, any>> {
  const item = await stack.aws.dynamo.send(new GetItemCommand({ TableName: stack.cfg.tableName, Key: { pk: { S: taskKey('export', id).pk }, sk: { S: taskKey('export', id).sk } }, ConsistentRead: true }));
  return Object.fromEntries(Object.entries(item.Item ?? {}).map(([k, v]) => [k, v.S ?? (v.N === undefined ? (v.BOOL ?? v.L ?? v.M) : Number(v.N))]));
}

async function objectExists(key: string): Promise<boolean> {
  return stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.cfg.bucketName, Key: key })).then(
    () => true,
    () => false,
  );
}

async function exportTo(path: string, extra: Record<string, unknown> = {}, container = 'wtest') {
  return call(stack.url, 'POST', `/api/v1/container/lxc/${container}/export`, { path, ...extra });
}

beforeAll(async () => {
  await provisionDemoImage(stack.cfg, stack.aws);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'wtest', image: 'demo', tag: 'latest' })).status).toBe(200);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'broken', image: 'demo', tag: 'latest' })).status).toBe(200);
  // Cut the root filesystem of `broken` in the middle of an entry.
  const container = await stack.aws.dynamo.send(new GetItemCommand({ TableName: stack.cfg.tableName, Key: { pk: { S: 'CONTAINER' }, sk: { S: 'lxc#broken' } } }));
  const rootfsKey = container.Item!.rootfsKey!.S!;
  const whole = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: rootfsKey }));
  const bytes = Buffer.from(await whole.Body!.transformToByteArray());
  await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: rootfsKey, Body: bytes.subarray(0, Math.floor(bytes.length / 2) + 100) }));
});

describe('stream delivery', () => {
  it('runs an export once when the same INSERT is delivered twice at the same time', async () => {
    // Prepare
    const created = await exportTo('test/twice.tgz');
    const record = await insertRecordOf(created.body.id);
    const event: DynamoDBStreamEvent = { Records: [record] };
    // Act
    const [first, second] = await Promise.all([workerHandler(event), workerHandler(event)]);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const task = await storedTask(created.body.id);
    expect(task.state).toBe('completed');
    expect(task.attempts).toBe(1);
    expect(await objectExists('test/twice.tgz')).toBe(true);
  });

  it('ignores a delivery that arrives after the task finished', async () => {
    // Prepare
    const created = await exportTo('test/late.tar');
    const record = await insertRecordOf(created.body.id);
    await workerHandler({ Records: [record] });
    const finished = await storedTask(created.body.id);
    // Act
    const again = await workerHandler({ Records: [record] });
    // Assess
    expect(again.batchItemFailures).toEqual([]);
    expect(await storedTask(created.body.id)).toEqual(finished);
  });

  it('acts only on INSERTs of waiting tasks', async () => {
    // Prepare
    const created = await exportTo('test/modify.tar');
    const record = { ...(await insertRecordOf(created.body.id)), eventName: 'MODIFY' as const };
    // Act
    const response = await workerHandler({ Records: [record] });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((await storedTask(created.body.id)).state).toBe('waiting');
  });
});

describe('failures', () => {
  it('aborts the task with a message and leaves no object when the root filesystem breaks mid-stream', async () => {
    // Prepare
    const created = await exportTo('test/broken.tgz', {}, 'broken');
    // Act
    await workerHandler({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    const listed = (await call(stack.url, 'GET', '/api/v1/export/')).body.find((t: { id: number }) => t.id === created.body.id);
    expect(listed).toMatchObject({ state: 'aborted', result: 1 });
    expect(listed.error).toMatch(/truncated|unexpected end|premature/i);
    expect(listed).not.toHaveProperty('progress');
    expect(await objectExists('test/broken.tgz')).toBe(false);
  });

  it('keeps the file it was asked to replace when the new archive fails', async () => {
    // Prepare
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: 'test/kept.tar', Body: 'previous archive' }));
    const created = await exportTo('test/kept.tar', { force: true }, 'broken');
    // Act
    await workerHandler({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    expect((await storedTask(created.body.id)).state).toBe('aborted');
    const kept = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: 'test/kept.tar' }));
    expect(await kept.Body!.transformToString()).toBe('previous archive');
  });

  it('aborts an export whose container was removed while it waited', async () => {
    // Prepare
    await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'gone', image: 'demo', tag: 'latest' });
    const created = await exportTo('test/gone.tar', {}, 'gone');
    expect((await call(stack.url, 'DELETE', '/api/v1/container/lxc/gone')).body).toEqual({});
    // Act
    await workerHandler({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    const task = await storedTask(created.body.id);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: 'Container gone no longer exists' });
    expect(await objectExists('test/gone.tar')).toBe(false);
  });
});

describe('one unfinished export per path', () => {
  it('refuses the second of two concurrent exports to one path', async () => {
    // Act
    const responses = await Promise.all([exportTo('test/same.tgz', { force: true }), exportTo('test/same.tgz', { force: true })]);
    // Assess
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
    const refused = responses.find((r) => r.status === 400)!;
    expect(refused.body.error.message).toBe('Another export to /test/same.tgz has not finished yet');
  });

  it('frees the path once the export finished', async () => {
    // Prepare
    const first = await exportTo('test/free.tar');
    await workerHandler({ Records: [await insertRecordOf(first.body.id)] });
    // Act
    const second = await exportTo('test/free.tar', { force: true });
    // Assess
    expect(second.status).toBe(200);
  });
});
