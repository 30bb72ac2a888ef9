// Reaches into the built-in runtime's storage of a container's root filesystem (one tar object
// per container, its key in the container's table item), for tests that need a container whose
// export fails halfway through.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { TestStack } from './stack.ts';

export async function rootfsKeyOf(stack: TestStack, container: string): Promise<string> {
  const item = await stack.aws.dynamo.send(new GetItemCommand({ TableName: stack.cfg.tableName, Key: { pk: { S: 'CONTAINER' }, sk: { S: `lxc#${container}` } } }));
  return item.Item!.rootfsKey!.S!;
}

/** Cuts the container's root filesystem in the middle of an entry: its export aborts. */
export async function truncateRootfs(stack: TestStack, container: string): Promise<void> {
  const key = await rootfsKeyOf(stack, container);
  const whole = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));
  const bytes = Buffer.from(await whole.Body!.transformToByteArray());
  await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: key, Body: bytes.subarray(0, Math.floor(bytes.length / 2) + 100) }));
}
