// Idempotent provisioning of what stevedore needs in its account: the table (with its
// stream), the share bucket and the share folders. The embedded stack, the tests and
// LocalStack users run the same code; on AWS the CDK app creates these instead.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../lib/aws/clients.ts';
import { CHANGE_SEQ_ATTRIBUTE, CHANGES_INDEX, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/aws/table.ts';
import { sleep } from '../../lib/sleep.ts';
import type { Config } from '../../lib/config.ts';

export async function provision(cfg: Config, aws: AwsClients): Promise<void> {
  await ensureTable(cfg.tableName, aws);
  await ensureBucket(cfg.bucketName, aws);
  for (const folder of cfg.shareFolders) {
    // The marker object makes an empty share folder visible in listings.
    await aws.s3.send(new PutObjectCommand({ Bucket: cfg.bucketName, Key: `${folder.name}/`, Body: new Uint8Array(0) }));
  }
}

/** The table's index of tasks by their last change (lib/aws/table.ts), as infra/aws/tasks-table.ts makes it. */
const CHANGES: GlobalSecondaryIndex = {
  IndexName: CHANGES_INDEX,
  KeySchema: [
    { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
    { AttributeName: CHANGE_SEQ_ATTRIBUTE, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
};
const CHANGES_ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: PARTITION_KEY, AttributeType: 'S' },
  { AttributeName: CHANGE_SEQ_ATTRIBUTE, AttributeType: 'N' },
];
/**
 * How long a table made before the index existed may take to build it. A DynamoDB Local of
 * its own built it in about a second here; one busy with other tables' work took over a minute.
 */
const INDEX_BUILD_TIMEOUT_MS = 5 * 60_000;

async function ensureTable(tableName: string, aws: AwsClients): Promise<void> {
  try {
    await aws.dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...CHANGES_ATTRIBUTES, { AttributeName: SORT_KEY, AttributeType: 'S' }],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [CHANGES],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    await waitUntilTableExists({ client: aws.dynamo, maxWaitTime: 60 }, { TableName: tableName });
    await aws.dynamo
      .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }))
      .catch(() => undefined); // TTL is housekeeping; an emulator without it still works
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    await ensureChangesIndex(tableName, aws);
  }
}

/** A table an earlier stevedore made has no index yet: it gets it, and provisioning waits until it serves. */
async function ensureChangesIndex(tableName: string, aws: AwsClients): Promise<void> {
  const indexStatus = async () => (await aws.dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === CHANGES_INDEX)?.IndexStatus;
  if ((await indexStatus()) === undefined) {
    await aws.dynamo
      .send(new UpdateTableCommand({ TableName: tableName, AttributeDefinitions: CHANGES_ATTRIBUTES, GlobalSecondaryIndexUpdates: [{ Create: CHANGES }] }))
      .catch((err: unknown) => {
        // Another process provisioning the same table added it first.
        if (!(err instanceof ResourceInUseException)) throw err;
      });
  }
  const deadline = Date.now() + INDEX_BUILD_TIMEOUT_MS;
  for (let status = await indexStatus(); status !== 'ACTIVE'; status = await indexStatus()) {
    if (Date.now() > deadline) throw new Error(`the index ${CHANGES_INDEX} of table ${tableName} is still ${status ?? 'missing'} after ${INDEX_BUILD_TIMEOUT_MS / 60_000} minutes`);
    await sleep(500);
  }
}

// HeadBucket can fail for a bucket that exists (s3rver answers it by listing the bucket, which
// fails on one bad object), so its failure only means "try to create": a create that finds
// the bucket there is success, whatever HeadBucket said.
async function ensureBucket(bucketName: string, aws: AwsClients): Promise<void> {
  try {
    await aws.s3.send(new HeadBucketCommand({ Bucket: bucketName }));
    return;
  } catch {
    // fall through to create
  }
  try {
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou || err instanceof BucketAlreadyExists)) throw err;
  }
}
