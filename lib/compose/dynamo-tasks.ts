// The task store port served by the DynamoDB table, writing the events of task state changes
// into the table's event log with the changes themselves.
import { dynamoDocuments } from '../aws/dynamo-documents.ts';
import { DynamoEventLog } from '../events/dynamo-event-log.ts';
import { DynamoTaskStore } from '../tasks/dynamo-task-store.ts';
import type { Adapter } from './compose.ts';
import { eventRetentionSeconds } from './dynamo-events.ts';

export const dynamoTasks: Adapter<'tasks'> = (config, aws) => {
  const doc = aws.get(dynamoDocuments);
  return new DynamoTaskStore(doc, config.tableName, config.taskLeaseMs, new DynamoEventLog(doc, config.tableName, eventRetentionSeconds(config.eventRetentionDays)));
};
