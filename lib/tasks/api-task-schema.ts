// Export and import tasks as the API shows them (`toApiTask` of ./model.ts), as zod schemas:
// the OpenAPI document's responses, and what the tests check answers against. A module of its
// own so that the task functions, which build these views but check none, bundle no zod.
import * as z from 'zod/mini';
import { containerTypeSchema, createParamsSchema } from '../container/schema.ts';

const epoch = (what: string) => z.int().check(z.gte(0), z.describe(`${what}, in epoch seconds.`));

/** The fields of every task; which of the optional ones are there follows `state` (COMPAT.md "Tasks"). */
const taskFields = {
  cid: z.string().check(z.describe('The container\'s id.')),
  cname: z.string().check(z.describe('The container\'s name.')),
  id: z.int().check(z.gte(1), z.describe('The task\'s id; exports and imports are numbered apart, from 1.')),
  init: epoch('When the task was asked for'),
  path: z.string().check(z.describe('The archive\'s share path, with its leading "/".')),
  state: z.enum(['waiting', 'running', 'completed', 'aborted']),
  type: containerTypeSchema,
  user: z.string().check(z.describe('Who asked for it; "Anonymous" without a session.')),
  start: z.optional(epoch('When a worker started it (running and finished tasks)')),
  end: z.optional(epoch('When it ended (completed and aborted tasks)')),
  progress: z.optional(z.int().check(z.gte(-1), z.lte(99))).check(z.describe('Running tasks only: percent done, -1 when unknown; never 100.')),
  bytes_done: z.optional(z.int().check(z.gte(0))).check(z.describe('Running tasks with a known size, with `?include=bytes`: bytes of the source read so far.')),
  bytes_total: z.optional(z.int().check(z.gte(0))).check(z.describe('Running tasks with a known size, with `?include=bytes`: the source\'s size in bytes (the container\'s files for an export, the archive for an import).')),
  result: z.optional(z.int()).check(z.describe('Finished tasks only: 0 success, anything else failure.')),
  error: z.optional(z.string()).check(z.describe('Aborted tasks: why.')),
  warnings: z.optional(z.array(z.string())).check(z.describe('What the task skipped without failing (archive entries it could not take).')),
};

export const exportTaskSchema = z.strictObject({
  ...taskFields,
  compress: z.boolean().check(z.describe('Whether the archive is gzip-compressed (.tgz).')),
});

export const importTaskSchema = z.strictObject({
  ...taskFields,
  image: z.string().check(z.describe('Always "import".')),
  create_params: createParamsSchema,
});

/** What clearing answers: the ids of the finished tasks it removed. */
export const clearedTaskIdsSchema = z.array(z.int().check(z.gte(1)));
