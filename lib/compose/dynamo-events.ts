// The event log port served by the DynamoDB table.
import { dynamoDocuments } from '../aws/dynamo-documents.ts';
import { DynamoEventLog } from '../events/dynamo-event-log.ts';
import type { Adapter } from './compose.ts';

export const dynamoEvents: Adapter<'events'> = (config, aws) => new DynamoEventLog(aws.get(dynamoDocuments), config.tableName, eventRetentionSeconds(config.eventRetentionDays));

export const eventRetentionSeconds = (days: number) => days * 24 * 3600;
