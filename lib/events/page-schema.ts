// A page of the event log (./paging.ts) and the query that asks for it, as zod schemas: the
// OpenAPI document's parameters and response, and the page's type.
import * as z from 'zod';

/** `<category>:<user>:<epoch>:<json>`; user names hold no colon (lib/auth/model.ts). */
const EVENT_MESSAGE = /^(export|import|container):[^:]*:\d+:\{.*\}$/;

export const eventPageSchema = z.strictObject({
  index: z.int().min(0).meta({ description: 'The number of the newest event the listing is anchored at: send it back to read the same events.' }),
  offset: z.int().min(0).meta({ description: 'Where the next, older, page starts: send it back with `index`.' }),
  messages: z.array(z.string().regex(EVENT_MESSAGE)).meta({
    description: 'Newest first, up to 20: `<category>:<user>:<epoch>:<json>`, the JSON as Python writes it, keys sorted.',
    examples: [['export:admin:1434968452:{"cid": "utest", "compress": true, "container": "utest", "path": "/test/c.tgz", "state": "running", "tid": 1, "type": "lxc"}']],
  }),
});
export type EventPage = z.infer<typeof eventPageSchema>;

const wholeNumber = z.string().regex(/^\d{0,15}$/);

/** What `parseEventPageRequest` reads: absent or empty means the default. */
export const eventPageQuerySchema = z.object({
  index: wholeNumber.optional().meta({ description: 'Anchor: the newest event number to show; absent or 0 for the newest now.' }),
  offset: wholeNumber.optional().meta({ description: 'How many events below the anchor the page starts; 0 when absent.' }),
});
