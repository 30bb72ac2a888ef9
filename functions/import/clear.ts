// DELETE /api/v1/import/: clears completed and aborted import tasks, answers their ids
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { clearTasks } from '../../lib/http/task-endpoints.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.importClear, { tasks: dynamoTasks }, clearTasks('import'));

export const handler = fn.handler;
