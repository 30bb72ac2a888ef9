// A whole query's answer, across its pages and strongly consistent: how every adapter of the
// single table reads a partition (its tasks, containers, images, users, published containers).
import type { DynamoDocuments, QueryInput as PageInput } from './dynamo-documents.ts';
import { PARTITION_KEY } from './table.ts';

export type QueryInput = Omit<PageInput, 'TableName' | 'ConsistentRead' | 'ExclusiveStartKey'>;

export async function queryAll<T>(doc: DynamoDocuments, table: string, input: QueryInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of doc.queryPages({ TableName: table, ConsistentRead: true, ...input })) items.push(...(page.items as T[]));
  return items;
}

/** Every item whose partition key is `pk`. */
export function queryPartition<T>(doc: DynamoDocuments, table: string, pk: string): Promise<T[]> {
  return queryAll<T>(doc, table, { KeyConditionExpression: `${PARTITION_KEY} = :pk`, ExpressionAttributeValues: { ':pk': pk } });
}
