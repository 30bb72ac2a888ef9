// Idempotent provisioning of what stevedore needs in its account: the table (with its
// stream), the share bucket and the share folders. The embedded stack, the tests and
// LocalStack users run the same code; on AWS the CDK app creates these instead.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../lib/aws/clients.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/aws/table.ts';
import type { Config } from '../../lib/config.ts';

export async function provision(cfg: Config, aws: AwsClients): Promise<void> {
  await ensureTable(cfg.tableName, aws);
  await ensureBucket(cfg.bucketName, aws);
  for (const folder of cfg.shareFolders) {
    // The marker object makes an empty share folder visible in listings.
    await aws.s3.send(new PutObjectCommand({ Bucket: cfg.bucketName, Key: `${folder.name}/`, Body: new Uint8Array(0) }));
  }
}

async function ensureTable(tableName: string, aws: AwsClients): Promise<void> {
  try {
    await aws.dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: SORT_KEY, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    await waitUntilTableExists({ client: aws.dynamo, maxWaitTime: 60 }, { TableName: tableName });
    await aws.dynamo
      .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }))
      .catch(() => undefined); // TTL is housekeeping; an emulator without it still works
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    await aws.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
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
