// GET /api/v1/import/: import tasks, newest first
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { listTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importList, { tasks: dynamoTasks }, listTasks('import'));

export const handler = fn.handler;
