// The error envelope (./errors.ts) as a zod schema, for the OpenAPI document and the tests that
// check answers. A module of its own: errors.ts is in every function, and zod is not.
import * as z from 'zod/mini';

export const errorEnvelopeSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.int().check(z.gte(400), z.lte(599), z.describe('The HTTP status of the answer, repeated.')),
      message: z.string().check(z.describe('One line saying what was wrong; for a missing share path, the path itself.')),
    }),
  })
  .check(z.describe('Every refused or failed request answers this, with the same HTTP status as `code`.'));


/** What `envelope` (./errors.ts) builds. */
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
