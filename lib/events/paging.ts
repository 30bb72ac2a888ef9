// Paging the event log (GET /api/v1/event?index=&offset=). Events are numbered 1, 2, 3, ...
// with no gaps (./dynamo-event-log.ts), and a page is a range of numbers:
//
// - `index` anchors a listing: the number of the newest event it shows. Omitted (or 0) it is
//   the newest event now, and the answer says which number that was. A client that passes the
//   answer's `index` back reads the same events however many arrive meanwhile: what is newer
//   than its anchor is never counted, so nothing shifts from one page to the next.
// - `offset` is how many events below the anchor the page starts: the page holds the events
//   numbered index-offset down to index-offset-19. The answer's `offset` is where the next
//   (older) page starts, so a client pages by passing back both values it was given, until a
//   page has no messages.
// - A client learns of new events by asking without `index`: the new anchor less its old one
//   is how many arrived.
//
// Events past their retention are gone from the table; the pages that held them are shorter
// or empty, and the pages above them are unchanged.
import { InvalidInput } from '../errors.ts';
import type { EventLog } from './event-log.ts';
import { eventMessage } from './model.ts';
import type { EventPage } from './page-schema.ts';

export const EVENTS_PER_PAGE = 20;

export interface EventPageRequest {
  /** Undefined: anchored at the newest event. */
  index?: number;
  offset: number;
}

export type { EventPage } from './page-schema.ts';

/** The numbers a page covers, `from` up to `to`; empty (from > to) below the first event. */
export interface PageWindow {
  index: number;
  from: number;
  to: number;
  nextOffset: number;
}

/** An anchor past the newest event is the newest: no page may change once events arrive. */
export function pageWindow(newest: number, request: EventPageRequest): PageWindow {
  const index = request.index === undefined || request.index === 0 ? newest : Math.min(request.index, newest);
  const to = index - request.offset;
  return { index, from: Math.max(1, to - EVENTS_PER_PAGE + 1), to, nextOffset: request.offset + EVENTS_PER_PAGE };
}

export async function readEventPage(log: EventLog, request: EventPageRequest): Promise<EventPage> {
  const window = pageWindow(await log.newest(), request);
  const events = window.to >= window.from ? await log.between(window.from, window.to) : [];
  return { index: window.index, offset: window.nextOffset, messages: events.map(eventMessage) };
}

/** The query parameters as a client sends them: absent or empty means the default. */
export function parseEventPageRequest(index: string | undefined, offset: string | undefined): EventPageRequest {
  const parsedIndex = wholeNumber('index', index);
  return { ...(parsedIndex === undefined ? {} : { index: parsedIndex }), offset: wholeNumber('offset', offset) ?? 0 };
}

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(text.trim())) throw new InvalidInput(`${name} must be a whole number of 0 or more`);
  return Number(text.trim());
}
