// The task endpoints export and import share: list, progress long poll, clear.
import type { Context } from 'hono';
import type { ServicesWith } from '../compose/compose.ts';
import { CURSOR_HEADER, pollProgress } from '../tasks/long-poll.ts';
import { toApiTask, type TaskKind } from '../tasks/model.ts';
import { badRequest } from './errors.ts';

export function listTasks(kind: TaskKind) {
  return async (c: Context, { tasks }: ServicesWith<'tasks'>) => c.json((await tasks.list(kind)).map(toApiTask));
}

export function clearTasks(kind: TaskKind) {
  return async (c: Context, { tasks }: ServicesWith<'tasks'>) => c.json(await tasks.clearFinished(kind));
}

export function progressOfTasks(kind: TaskKind) {
  return async (c: Context, { tasks, config }: ServicesWith<'tasks'>) => {
    const cursorParam = c.req.query('cursor');
    let cursor: number | undefined;
    if (cursorParam !== undefined) {
      cursor = Number(cursorParam);
      if (!Number.isSafeInteger(cursor) || cursor < 0) throw badRequest('"cursor" must be the whole number a previous poll answered');
    }
    const result = await pollProgress(tasks, kind, { cursor, boundMs: config.pollBoundMs, intervalMs: config.pollIntervalMs, signal: c.req.raw.signal });
    c.header(CURSOR_HEADER, String(result.cursor));
    c.header('Cache-Control', 'no-store');
    return c.json(result.tasks.map(toApiTask));
  };
}
