// DELETE /api/v1/export/: clears completed and aborted export tasks, answers their ids
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { clearTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.exportClear, { tasks: dynamoTasks }, clearTasks('export'));

export const handler = fn.handler;
