// The event log port in memory, for unit tests: numbered from 1 with no gaps, as the DynamoDB
// adapter (lib/events/dynamo-event-log.ts) numbers it. Nothing expires: expiry is the table's TTL.
import type { EventLog } from '../../lib/events/event-log.ts';
import { eventMessage, type LoggedEvent, type NewEvent } from '../../lib/events/model.ts';

export class MemoryEventLog implements EventLog {
  private readonly events: LoggedEvent[] = [];

  async append(event: NewEvent): Promise<void> {
    this.events.push(structuredClone({ ...event, seq: this.events.length + 1 }));
  }

  async newest(): Promise<number> {
    return this.events.length;
  }

  async between(from: number, to: number): Promise<LoggedEvent[]> {
    return this.events.filter((event) => event.seq >= from && event.seq <= to).reverse().map((event) => structuredClone(event));
  }

  /** Every message, oldest first, for tests that check what was logged. */
  messages(): string[] {
    return this.events.map(eventMessage);
  }
}
