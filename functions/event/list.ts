// GET /api/v1/event?index=&offset=: the event log, newest first, 20 a page (lib/events/paging.ts)
import { dynamoEvents } from '../../lib/compose/dynamo-events.ts';
import { parseEventPageRequest, readEventPage } from '../../lib/events/paging.ts';
import { httpFunction } from '../../lib/http/function.ts';
import { routes } from '../routes.ts';

export const fn = httpFunction(routes.eventList, { events: dynamoEvents }, async (c, { events }) =>
  c.json(await readEventPage(events, parseEventPageRequest(c.req.query('index'), c.req.query('offset')))),
);

export const handler = fn.handler;
