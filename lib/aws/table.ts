// The single table's key schema. Every record kind (tasks, counters, containers, images,
// path reservations) lives in one table under its own partition key prefix, so the whole
// product needs one table, one stream and one set of grants.
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds after which DynamoDB's TTL may delete a record. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface ItemKey {
  pk: string;
  sk: string;
}
