// The task store port served by the DynamoDB table.
import { DynamoTaskStore } from '../tasks/dynamo-task-store.ts';
import type { Adapter } from './compose.ts';

export const dynamoTasks: Adapter<'tasks'> = (config, aws) => new DynamoTaskStore(aws.doc, config.tableName, config.taskLeaseMs);
