// GET /api/v1/import/progress: long poll for progress of running import tasks
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { progressOfTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importProgress, { tasks: dynamoTasks }, progressOfTasks('import'));

export const handler = fn.handler;
