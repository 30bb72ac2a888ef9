// Start-up provisioning against a bucket that already exists: a restart must never be stopped
// by its own bucket, even when the emulator cannot answer HeadBucket for it (s3rver answers
// HeadBucket by listing the bucket, and an object it half-wrote makes that listing fail). And
// against a table an earlier stevedore made, before the table had its index of changes.
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { startDynamoLocal } from '../../infra/local/emulators.ts';
import { provision } from '../../infra/local/provision.ts';
import { createClients } from '../../lib/aws/clients.ts';
import { DynamoEventLog } from '../../lib/events/dynamo-event-log.ts';
import { DynamoTaskStore } from '../../lib/tasks/dynamo-task-store.ts';
import { removeHalfWrittenObjects } from '../../infra/local/s3rver-orphans.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_SHARE_FOLDERS: 'test:rw,other:rw' });
const send = (method: string, path: string, body?: string) => sendRaw(stack.url, method, path, { body });
const { putObject } = bucketHelpers(stack);

describe('provisioning an existing bucket', () => {
  it('provisions again over a bucket that answers HeadBucket normally', async () => {
    // Prepare: the stack provisioned the bucket already

    // Act
    const again = provision(stack.cfg, stack.aws);

    // Assess
    await expect(again).resolves.toBeUndefined();
  });

  it('provisions again over a bucket whose HeadBucket fails, and serves the share folders after it', async () => {
    // Prepare: an object name too long for s3rver's disk (written directly, as an older
    // stevedore let through), which leaves a half-written orphan behind
    const orphan = `test/${'o'.repeat(240)}`;
    await putObject(orphan, 'x').catch(() => undefined);
    const head = await stack.aws.s3.send(new HeadBucketCommand({ Bucket: stack.cfg.bucketName })).then(
      () => 'answered',
      () => 'failed',
    );

    // Act: what `npm start` does after a restart
    const again = provision(stack.cfg, stack.aws);

    // Assess
    expect(head).toBe('failed');
    await expect(again).resolves.toBeUndefined();
    const made = await send('POST', '/api/v1/sharefolder/other/', JSON.stringify({ name: 'after-restart', is_dir: true }));
    expect({ status: made.status, body: JSON.parse(made.text) as unknown }).toStrictEqual({
      status: 200,
      body: [{ is_dir: true, name: 'after-restart', type: 'd' }],
    });
  });

  // Runs after the test above, which left the orphan in this file's bucket. It cleans s3rver's
  // own files, so it is skipped only when the suite runs against another S3 (AWS_ENDPOINT_URL:
  // LocalStack), where there is no s3rver data directory to clean.
  it.skipIf(!inject('s3DataDir'))('removes the half-written object at start, after which its folder lists and takes writes again', async () => {
    // Prepare
    const before = await send('GET', '/api/v1/sharefolder/test');

    // Act: what `npm start` does before it provisions
    const removed = await removeHalfWrittenObjects(inject('s3DataDir'), stack.cfg.bucketName);

    // Assess
    expect(before.status).toBe(500);
    expect(removed).toEqual([`test/${'o'.repeat(240)}`]);
    const made = await send('POST', '/api/v1/sharefolder/test/', JSON.stringify({ name: 'healed', is_dir: true }));
    expect({ status: made.status, body: JSON.parse(made.text) as unknown }).toStrictEqual({ status: 200, body: [{ is_dir: true, name: 'healed', type: 'd' }] });
    expect((await send('GET', '/api/v1/sharefolder/')).status).toBe(200);
  });
});

describe('provisioning a table made before its index of changes', () => {
  // On a DynamoDB Local of its own: the shared one, busy with the whole suite, has left a new
  // index in CREATING for over a minute (its background jobs run one after another).
  it('adds the index to it, after which the long poll reads the tasks that changed through it', async () => {
    // Prepare: the table as an earlier stevedore made it, holding a claimed task
    const emulator = await startDynamoLocal();
    try {
      const tableName = stack.cfg.tableName;
      const aws = createClients({ ...stack.cfg, dynamoEndpoint: emulator.endpoint, dynamoStreamsEndpoint: emulator.endpoint });
      await aws.dynamo.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      const store = new DynamoTaskStore(aws.doc, tableName, 60_000, new DynamoEventLog(aws.doc, tableName, 3600));
      const id = await store.nextId('export');
      await store.create({ kind: 'export', id, state: 'waiting', type: 'lxc', cid: 'c', cname: 'c', user: 'Anonymous', path: '/test/before-index.tar', init: 0 });
      await store.claim('export', id, 'worker');
      const beforeIndex = await store.changedSince('export', 0).then(
        () => 'read',
        () => 'refused',
      );

      // Act: what `npm start` does at every start
      await provision(stack.cfg, aws);

      // Assess
      const table = (await aws.dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table;
      expect(beforeIndex).toBe('refused');
      expect(table?.GlobalSecondaryIndexes?.map(({ IndexName, IndexStatus, KeySchema }) => ({ IndexName, IndexStatus, KeySchema }))).toEqual([
        {
          IndexName: 'changes',
          IndexStatus: 'ACTIVE',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'changeSeq', KeyType: 'RANGE' },
          ],
        },
      ]);
      expect(await store.changedSince('export', 0)).toEqual([expect.objectContaining({ id, state: 'running' })]);
      await expect(provision(stack.cfg, aws), 'provisioning again').resolves.toBeUndefined();
    } finally {
      await emulator.stop();
    }
  });
});
