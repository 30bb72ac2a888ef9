// A whole query's answer, across its pages and strongly consistent: how every adapter of the
// single table reads a partition (its tasks, containers, images, users, published containers).
import { paginateQuery, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY } from './table.ts';

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ConsistentRead' | 'ExclusiveStartKey'>;

export async function queryAll<T>(doc: DynamoDBDocumentClient, table: string, input: QueryInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: doc }, { TableName: table, ConsistentRead: true, ...input })) items.push(...((page.Items ?? []) as T[]));
  return items;
}

/** Every item whose partition key is `pk`. */
export function queryPartition<T>(doc: DynamoDBDocumentClient, table: string, pk: string): Promise<T[]> {
  return queryAll<T>(doc, table, { KeyConditionExpression: `${PARTITION_KEY} = :pk`, ExpressionAttributeValues: { ':pk': pk } });
}
