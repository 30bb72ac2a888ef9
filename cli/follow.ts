// `--wait`: follows one task to its end through the kind's progress long poll, never a sleep
// loop. The first poll sends cursor 0, which the server answers at once with every task that
// changed since the start (this one in its current state, if it moved yet) and the cursor it
// reached; each next poll sends the cursor back, so no change between two polls is missed,
// however fast the task ends. A poll whose bound ended without news of the task (`[]`) is
// followed by one read of the list, to notice a task that was cleared, or a server that sends
// no cursor (the original API: each poll then only sees changes after it began).
import type { Answer, ApiClient } from './api-client.ts';
import { CliError, EXIT } from './errors.ts';
import type { ProgressView } from './progress-view.ts';
import { hasEnded, type ApiTask, type TaskKind } from './task.ts';

const CURSOR_HEADER = 'x-stevedore-cursor';

export class Interrupted extends CliError {
  constructor(kind: TaskKind, id: number) {
    super(`stopped following ${kind} ${id}; it goes on on the server (see: stevedore tasks ${kind})`, EXIT.interrupted);
  }
}

export async function followTask(client: ApiClient, kind: TaskKind, id: number, view: ProgressView, signal: AbortSignal): Promise<ApiTask> {
  let cursor: number | undefined = 0;
  try {
    for (;;) {
      const answer: Answer<ApiTask[]> = await client.call<ApiTask[]>('GET', `/${kind}/progress`, { query: { cursor, include: 'bytes' }, signal });
      const next: number = Number(answer.headers.get(CURSOR_HEADER) ?? Number.NaN);
      cursor = Number.isSafeInteger(next) ? next : undefined;
      let task = answer.body.find((t: ApiTask) => t.id === id);
      if (!task && (answer.body.length === 0 || cursor === undefined)) {
        const list = await client.call<ApiTask[]>('GET', `/${kind}/`, { query: { include: 'bytes' }, signal });
        task = list.body.find((t) => t.id === id);
        if (!task) throw new CliError(`${kind} ${id} no longer exists (cleared?)`, EXIT.refused);
      }
      if (!task) continue; // other tasks moved; this one did not
      view.show(task);
      if (hasEnded(task)) return task;
    }
  } catch (err) {
    if (signal.aborted) throw new Interrupted(kind, id);
    throw err;
  } finally {
    view.close();
  }
}
