// Export and import tasks as the API shows them (`toApiTask` of ./model.ts), as zod schemas:
// the OpenAPI document's responses, and what the tests check answers against. A module of its
// own so that the task functions, which build these views but check none, bundle no zod.
import * as z from 'zod';
import { containerTypeSchema, createParamsSchema } from '../container/schema.ts';

const epoch = (what: string) => z.int().min(0).meta({ description: `${what}, in epoch seconds.` });

/** The fields of every task; which of the optional ones are there follows `state` (COMPAT.md "Tasks"). */
const taskFields = {
  cid: z.string().meta({ description: 'The container\'s id.' }),
  cname: z.string().meta({ description: 'The container\'s name.' }),
  id: z.int().min(1).meta({ description: 'The task\'s id; exports and imports are numbered apart, from 1.' }),
  init: epoch('When the task was asked for'),
  path: z.string().meta({ description: 'The archive\'s share path, with its leading "/".' }),
  state: z.enum(['waiting', 'running', 'completed', 'aborted']),
  type: containerTypeSchema,
  user: z.string().meta({ description: 'Who asked for it; "Anonymous" without a session.' }),
  start: epoch('When a worker started it (running and finished tasks)').optional(),
  end: epoch('When it ended (completed and aborted tasks)').optional(),
  progress: z.int().min(-1).max(99).optional().meta({ description: 'Running tasks only: percent done, -1 when unknown; never 100.' }),
  bytes_done: z.int().min(0).optional().meta({ description: 'Running tasks with a known size, with `?include=bytes`: bytes of the source read so far.' }),
  bytes_total: z.int().min(0).optional().meta({ description: 'Running tasks with a known size, with `?include=bytes`: the source\'s size in bytes (the container\'s files for an export, the archive for an import).' }),
  result: z.int().optional().meta({ description: 'Finished tasks only: 0 success, anything else failure.' }),
  error: z.string().optional().meta({ description: 'Aborted tasks: why.' }),
  warnings: z.array(z.string()).optional().meta({ description: 'What the task skipped without failing (archive entries it could not take).' }),
};

export const exportTaskSchema = z.strictObject({
  ...taskFields,
  compress: z.boolean().meta({ description: 'Whether the archive is gzip-compressed (.tgz).' }),
});

export const importTaskSchema = z.strictObject({
  ...taskFields,
  image: z.string().meta({ description: 'Always "import".' }),
  create_params: createParamsSchema,
});

/** What clearing answers: the ids of the finished tasks it removed. */
export const clearedTaskIdsSchema = z.array(z.int().min(1));
