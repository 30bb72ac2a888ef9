// The auth store port (users, sessions, failed-login windows) served by the DynamoDB table.
import { DynamoAuthStore } from '../auth/dynamo-auth-store.ts';
import { dynamoDocuments } from '../aws/dynamo-documents.ts';
import type { Adapter } from './compose.ts';

export const dynamoAuth: Adapter<'auth'> = (config, aws) => new DynamoAuthStore(aws.get(dynamoDocuments), config.tableName);
