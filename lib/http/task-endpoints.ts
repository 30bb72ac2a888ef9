// The task endpoints export and import share: list, progress long poll, clear.
import type { Context } from 'hono';
import type { ServicesWith } from '../compose/compose.ts';
import { CURSOR_HEADER, pollProgress } from '../tasks/long-poll.ts';
import { toApiTask, type TaskKind, type TaskRecord, type TaskViewOptions } from '../tasks/model.ts';
import { badRequest } from './errors.ts';

/** What `?include=` may ask for beyond the original API's fields. */
const INCLUDABLE = ['bytes'] as const;

/** The view `?include=bytes` asks for; the original API's shape without it. */
function viewOptions(c: Context): TaskViewOptions {
  const include = c.req.query('include');
  if (include === undefined) return {};
  const asked = include.split(',').map((name) => name.trim());
  const unknown = asked.filter((name) => !(INCLUDABLE as readonly string[]).includes(name));
  if (unknown.length > 0) throw badRequest(`"include" may name only ${INCLUDABLE.join(', ')} (comma-separated); not ${JSON.stringify(unknown.join(','))}`);
  return { bytes: asked.includes('bytes') };
}

const apiTasks = (records: TaskRecord[], options: TaskViewOptions) => records.map((task) => toApiTask(task, options));

export function listTasks(kind: TaskKind) {
  return async (c: Context, { tasks }: ServicesWith<'tasks'>) => {
    const options = viewOptions(c);
    return c.json(apiTasks(await tasks.list(kind), options));
  };
}

export function clearTasks(kind: TaskKind) {
  return async (c: Context, { tasks }: ServicesWith<'tasks'>) => c.json(await tasks.clearFinished(kind));
}

export function progressOfTasks(kind: TaskKind) {
  return async (c: Context, { tasks, config }: ServicesWith<'tasks'>) => {
    const options = viewOptions(c);
    const cursorParam = c.req.query('cursor');
    let cursor: number | undefined;
    if (cursorParam !== undefined) {
      cursor = Number(cursorParam);
      if (!Number.isSafeInteger(cursor) || cursor < 0) throw badRequest('"cursor" must be the whole number a previous poll answered');
    }
    const result = await pollProgress(tasks, kind, { cursor, boundMs: config.pollBoundMs, intervalMs: config.pollIntervalMs, signal: c.req.raw.signal });
    c.header(CURSOR_HEADER, String(result.cursor));
    c.header('Cache-Control', 'no-store');
    return c.json(apiTasks(result.tasks, options));
  };
}
