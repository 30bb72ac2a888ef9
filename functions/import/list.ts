// GET /api/v1/import/: import tasks, newest first
import { httpFunction } from '../../lib/http/function.ts';
import { listTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importList, listTasks('import'));

export const handler = fn.handler;
