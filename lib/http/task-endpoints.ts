// The task endpoints export and import share: list, progress long poll, clear.
import type { Context } from 'hono';
import { config } from '../config.ts';
import { badRequest } from './errors.ts';
import { CURSOR_HEADER, pollProgress } from '../tasks/long-poll.ts';
import { toApiTask, type TaskKind } from '../tasks/model.ts';
import { taskStore } from '../tasks/store.ts';

export function listTasks(kind: TaskKind) {
  return async (c: Context) => c.json((await taskStore().list(kind)).map(toApiTask));
}

export function clearTasks(kind: TaskKind) {
  return async (c: Context) => c.json(await taskStore().clearFinished(kind));
}

export function progressOfTasks(kind: TaskKind) {
  return async (c: Context) => {
    const cfg = config();
    const cursorParam = c.req.query('cursor');
    let cursor: number | undefined;
    if (cursorParam !== undefined) {
      cursor = Number(cursorParam);
      if (!Number.isSafeInteger(cursor) || cursor < 0) throw badRequest('"cursor" must be the whole number a previous poll answered');
    }
    const result = await pollProgress(kind, { cursor, boundMs: cfg.pollBoundMs, intervalMs: cfg.pollIntervalMs, signal: c.req.raw.signal });
    c.header(CURSOR_HEADER, String(result.cursor));
    c.header('Cache-Control', 'no-store');
    return c.json(result.tasks.map(toApiTask));
  };
}
