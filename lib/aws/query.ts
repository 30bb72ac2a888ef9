// A whole query's answer, across its pages: how every adapter of the single table reads a
// partition (its tasks, containers, images, users, published containers), strongly consistent,
// and the index (eventually consistent, as every global secondary index is).
import type { DynamoDocuments, QueryInput as PageInput } from './dynamo-documents.ts';
import { PARTITION_KEY } from './table.ts';

export type QueryInput = Omit<PageInput, 'TableName' | 'IndexName' | 'ConsistentRead' | 'ExclusiveStartKey'>;

export function queryAll<T>(doc: DynamoDocuments, table: string, input: QueryInput): Promise<T[]> {
  return allPages<T>(doc, { TableName: table, ConsistentRead: true, ...input });
}

export function queryIndexAll<T>(doc: DynamoDocuments, table: string, index: string, input: QueryInput): Promise<T[]> {
  return allPages<T>(doc, { TableName: table, IndexName: index, ...input });
}

async function allPages<T>(doc: DynamoDocuments, input: Omit<PageInput, 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of doc.queryPages(input)) items.push(...(page.items as T[]));
  return items;
}

/** Every item whose partition key is `pk`. */
export function queryPartition<T>(doc: DynamoDocuments, table: string, pk: string): Promise<T[]> {
  return queryAll<T>(doc, table, { KeyConditionExpression: `${PARTITION_KEY} = :pk`, ExpressionAttributeValues: { ':pk': pk } });
}
