// The event log port: an append-only, numbered log of what happened (task state changes,
// containers created and removed), read newest first in pages. Events of task state changes
// are not appended through this port: the task store writes them in the same conditional
// write as the change itself (lib/tasks/dynamo-task-store.ts), so that a change never goes
// without its event and a retried change never writes its event twice. The DynamoDB adapter
// is ./dynamo-event-log.ts; an in-memory one serves the unit tests.
import type { LoggedEvent, NewEvent } from './model.ts';

export interface EventLog {
  /** Numbers the event after every event before it and stores it. */
  append(event: NewEvent): Promise<void>;
  /** The number of the newest event, 0 while the log is empty. */
  newest(): Promise<number>;
  /** The events numbered `from` to `to` (both included) the log still holds, newest first. */
  between(from: number, to: number): Promise<LoggedEvent[]>;
}
