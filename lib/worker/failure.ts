// A failure meant for the client: its message becomes the task's `error`.
import { MissingPath } from '../errors.ts';

export class TaskFailure extends Error {
  override name = 'TaskFailure';
}

/** The message a client sees for whatever ended a task. */
export function failureMessage(err: unknown): string {
  // The API's message for a missing path is the bare path; in a task's error that says nothing.
  if (err instanceof MissingPath) return `${err.message} does not exist (any more); nothing was written`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
