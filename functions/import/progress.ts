// GET /api/v1/import/progress: long poll for progress of running import tasks
import { httpFunction } from '../../lib/http/function.ts';
import { progressOfTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importProgress, progressOfTasks('import'));

export const handler = fn.handler;
