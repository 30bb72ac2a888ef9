// The worker's side of the table's stream: DynamoDB stream records in, a partial batch
// response out (failed records keyed by SequenceNumber, so Lambda retries from the lowest).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ContainerType } from '../container-type.ts';
import { logger } from '../log.ts';
import type { WorkerServices } from '../ports.ts';
import { TASK_RECORD_TYPE } from '../tasks/dynamo-task-store.ts';
import type { TaskRecord } from '../tasks/model.ts';
import { typesRunBy } from './placement.ts';
import { runTask, type WorkerContext } from './run-task.ts';

/** True for the records the worker acts on: INSERTs of waiting tasks. */
export function isNewWaitingTask(record: DynamoDBRecord): boolean {
  const image = record.dynamodb?.NewImage;
  return record.eventName === 'INSERT' && image?.recordType?.S === TASK_RECORD_TYPE && image?.state?.S === 'waiting';
}

/** INSERTs of waiting tasks of the given container types: what a worker that runs only those acts on. */
export function newWaitingTaskOf(types: readonly ContainerType[]): (record: DynamoDBRecord) => boolean {
  return (record) => isNewWaitingTask(record) && types.includes(record.dynamodb!.NewImage!.type?.S as ContainerType);
}

async function handleRecord(services: WorkerServices, record: DynamoDBRecord, context: WorkerContext, types: readonly ContainerType[]): Promise<void> {
  // The event source filter already keeps only these; checked again so that a mapping
  // deployed without the filter cannot make the worker act on updates or deletes, nor claim a
  // task of a type it does not run (it would hold it running where it cannot be run). Checked
  // before the claim: a task left alone stays waiting for the worker that runs its type.
  if (!isNewWaitingTask(record)) return;
  if (!newWaitingTaskOf(types)(record)) {
    logger.debug('task of a type another worker runs', { type: record.dynamodb?.NewImage?.type?.S, role: context.role ?? 'stack' });
    return;
  }
  const task = unmarshall(record.dynamodb!.NewImage as Record<string, AttributeValue>) as TaskRecord;
  await runTask(services, task, context);
}

export async function handleTaskStream(services: WorkerServices, event: DynamoDBStreamEvent, context: WorkerContext = {}): Promise<DynamoDBBatchResponse> {
  const types = typesRunBy(context.role ?? 'stack', services.config.hostTypes);
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  // One record at a time: each task streams a whole container, and memory must stay flat.
  return processPartialResponse(event, (record: DynamoDBRecord) => handleRecord(services, record, context, types), processor, { processInParallel: false, throwOnFullBatchFailure: false });
}
