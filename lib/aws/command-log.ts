// Counting the table reads of the long poll, for the benchmarks and tests: the operations the
// stores' DynamoDB client completes (a retried one counts once). The product itself never watches.
import type { DynamoDocuments } from './dynamo-documents.ts';

/** Table reads of the long poll, told apart: change-counter reads and task queries of one kind. */
export function countPollReads(doc: Pick<DynamoDocuments, 'watch'>, kind: 'export' | 'import') {
  const counts = { counterReads: 0, taskQueries: 0 };
  const stop = doc.watch(({ operation, input }) => {
    if (operation === 'GetItem' && stringOf(input.Key, 'sk') === `changes#${kind}`) counts.counterReads++;
    // Of the index of changes, or (a landing the index had not shown) of the table itself.
    const bySeq = `${String(input.KeyConditionExpression ?? '')} ${String(input.FilterExpression ?? '')}`.includes('changeSeq');
    if (operation === 'Query' && stringOf(input.ExpressionAttributeValues, ':pk') === `TASK#${kind}` && bySeq) counts.taskQueries++;
  });
  return { counts, stop };
}

/** A string attribute of a marshalled map (`{ name: { S } }`). */
const stringOf = (map: unknown, name: string): unknown => (map as Record<string, { S?: unknown } | undefined> | undefined)?.[name]?.S;
