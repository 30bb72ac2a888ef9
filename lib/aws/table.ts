// The single table's key schema. Every record kind (tasks, counters, containers, images,
// path reservations) lives in one table under its own partition key prefix, so the whole
// product needs one table, one stream and one set of grants.
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds after which DynamoDB's TTL may delete a record. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The table's one secondary index: a kind's tasks (their partition key) by the change counter's
 * value at their last change, so that a long poll reads the tasks that changed, not every task
 * the table still holds. Sparse: a task gets its `changeSeq` when it is claimed, and nothing
 * else has one. Like every global secondary index it lags the table a little.
 */
export const CHANGES_INDEX = 'changes';
export const CHANGE_SEQ_ATTRIBUTE = 'changeSeq';

export interface ItemKey {
  pk: string;
  sk: string;
}
