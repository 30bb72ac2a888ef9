// DELETE /api/v1/export/: clears completed and aborted export tasks, answers their ids
import { httpFunction } from '../../lib/http/function.ts';
import { clearTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportClear, clearTasks('export'));

export const handler = fn.handler;
