// The stream records DynamoDB delivers to the worker, for tests that call it directly.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { TASK_RECORD_TYPE } from '../../lib/tasks/dynamo-task-store.ts';
import type { TaskRecord } from '../../lib/tasks/model.ts';

/** The stream record DynamoDB delivers for the INSERT of this task's item. */
export function insertRecordOf(task: TaskRecord, sequence: number): DynamoDBRecord {
  const item = { pk: `TASK#${task.kind}`, sk: String(task.id).padStart(12, '0'), recordType: TASK_RECORD_TYPE, ...task };
  return {
    eventID: `event-${sequence}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) as never, SequenceNumber: String(sequence), StreamViewType: 'NEW_IMAGE' },
  };
}
