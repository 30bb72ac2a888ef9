// GET /api/v1/export/progress: long poll for progress of running export tasks
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { progressOfTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportProgress, { tasks: dynamoTasks }, progressOfTasks('export'));

export const handler = fn.handler;
