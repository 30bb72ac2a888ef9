// The worker's side of the table's stream: DynamoDB stream records in, a partial batch
// response out (failed records keyed by SequenceNumber, so Lambda retries from the lowest).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Services } from '../ports.ts';
import { TASK_RECORD_TYPE } from '../tasks/dynamo-task-store.ts';
import type { TaskRecord } from '../tasks/model.ts';
import { runTask, type WorkerContext } from './run-task.ts';

/** True for the records the worker acts on: INSERTs of waiting tasks. */
export function isNewWaitingTask(record: DynamoDBRecord): boolean {
  const image = record.dynamodb?.NewImage;
  return record.eventName === 'INSERT' && image?.recordType?.S === TASK_RECORD_TYPE && image?.state?.S === 'waiting';
}

async function handleRecord(services: Services, record: DynamoDBRecord, context: WorkerContext): Promise<void> {
  // The event source filter already keeps only these; checked again so that a mapping
  // deployed without the filter cannot make the worker act on updates or deletes.
  if (!isNewWaitingTask(record)) return;
  const task = unmarshall(record.dynamodb!.NewImage as Record<string, AttributeValue>) as TaskRecord;
  await runTask(services, task, context);
}

export async function handleTaskStream(services: Services, event: DynamoDBStreamEvent, context: WorkerContext = {}): Promise<DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  // One record at a time: each task streams a whole container, and memory must stay flat.
  return processPartialResponse(event, (record: DynamoDBRecord) => handleRecord(services, record, context), processor, { processInParallel: false, throwOnFullBatchFailure: false });
}
