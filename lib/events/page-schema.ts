// A page of the event log (./paging.ts) and the query that asks for it, as zod schemas: the
// OpenAPI document's parameters and response, and the page's type.
import * as z from 'zod/mini';

/** `<category>:<user>:<epoch>:<json>`; user names hold no colon (lib/auth/model.ts). */
const EVENT_MESSAGE = /^(export|import|container):[^:]*:\d+:\{.*\}$/;

export const eventPageSchema = z.strictObject({
  index: z.int().check(z.gte(0), z.describe('The number of the newest event the listing is anchored at: send it back to read the same events.')),
  offset: z.int().check(z.gte(0), z.describe('Where the next, older, page starts: send it back with `index`.')),
  messages: z.array(z.string().check(z.regex(EVENT_MESSAGE))).check(
    z.meta({
      description: 'Newest first, up to 20: `<category>:<user>:<epoch>:<json>`, the JSON as Python writes it, keys sorted.',
      examples: [['export:admin:1434968452:{"cid": "utest", "compress": true, "container": "utest", "path": "/test/c.tgz", "state": "running", "tid": 1, "type": "lxc"}']],
    }),
  ),
});
export type EventPage = z.infer<typeof eventPageSchema>;

const wholeNumber = z.string().check(z.regex(/^\d{0,15}$/));

/** What `parseEventPageRequest` reads: absent or empty means the default. */
export const eventPageQuerySchema = z.object({
  index: z.optional(wholeNumber).check(z.describe('Anchor: the newest event number to show; absent or 0 for the newest now.')),
  offset: z.optional(wholeNumber).check(z.describe('How many events below the anchor the page starts; 0 when absent.')),
});
