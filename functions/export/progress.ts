// GET /api/v1/export/progress: long poll for progress of running export tasks
import { httpFunction } from '../../lib/http/function.ts';
import { progressOfTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportProgress, progressOfTasks('export'));

export const handler = fn.handler;
