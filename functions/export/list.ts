// GET /api/v1/export/: export tasks, newest first
import { httpFunction } from '../../lib/http/function.ts';
import { listTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportList, listTasks('export'));

export const handler = fn.handler;
