// A failure meant for the client: its message becomes the task's `error`.
export class TaskFailure extends Error {
  override name = 'TaskFailure';
}

/** The message a client sees for whatever ended a task. */
export function failureMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
