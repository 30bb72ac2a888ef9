// The stream worker: triggered by the table's stream, runs export and import tasks.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { servicesFromEnvironment } from '../../lib/services.ts';
import { handleTaskStream } from '../../lib/worker/stream.ts';

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => handleTaskStream(servicesFromEnvironment(), event);
