// The stream worker: triggered by the table's stream, runs export and import tasks of every
// container type not placed on container hosts (STEVEDORE_HOST_TYPES, run by `npm run worker`).
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { servicesFromEnvironment } from '../../lib/compose/compose.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { runtimesWithTransfers, s3StorageWithTransfers } from '../../lib/compose/transfers.ts';
import { logger } from '../../lib/log.ts';
import { handleTaskStream } from '../../lib/worker/stream.ts';

/** What the worker is composed of; its access in infra/aws/task-worker.ts allows exactly these. */
export const adapters = { tasks: dynamoTasks, storage: s3StorageWithTransfers, runtimes: runtimesWithTransfers };
const services = servicesFromEnvironment(adapters);

export const handler = (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  // The invocation's context (its id, cold start) goes on every line the tasks of this batch log.
  if (context) logger.addContext(context);
  return handleTaskStream(services(), event, { role: 'stack' });
};
