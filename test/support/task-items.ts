// A task's item as DynamoDB holds it, read directly (consistently) for what the API does not
// show: a worker's lease, the change sequence, the exact item a stream record carries.
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { taskKey } from '../../lib/tasks/dynamo-task-store.ts';
import type { TestStack } from './stack.ts';

export type TaskKind = Parameters<typeof taskKey>[0];

/** The item as stored (attribute values), or undefined when there is none. */
export async function taskItem(stack: TestStack, kind: TaskKind, id: number): Promise<Record<string, AttributeValue> | undefined> {
  const key = taskKey(kind, id);
  const item = await stack.aws.dynamo.send(new GetItemCommand({ TableName: stack.cfg.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
  return item.Item;
}

/** The item with plain values: strings, numbers, booleans, lists and maps as stored. */
export async function storedTask(stack: TestStack, kind: TaskKind, id: number): Promise<Record<string, any>> {
  const item = (await taskItem(stack, kind, id)) ?? {};
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? (v.N === undefined ? (v.BOOL ?? v.L ?? v.M) : Number(v.N))]));
}
