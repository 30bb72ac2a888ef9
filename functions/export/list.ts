// GET /api/v1/export/: export tasks, newest first
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { listTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportList, { tasks: dynamoTasks }, listTasks('export'));

export const handler = fn.handler;
