// The entries a share-folder listing answers, and the body that creates one, as zod schemas:
// the OpenAPI document's shapes and the types the storage and the operations build. A module of
// its own so that the share-folder functions, which build and read these by hand, bundle no zod.
import * as z from 'zod/mini';

export const folderEntrySchema = z.strictObject({
  is_dir: z.boolean(),
  name: z.string(),
  type: z.enum(['d', 'f']).check(z.describe('`d` a directory, `f` a file (deprecated: read `is_dir`).')),
});
export type FolderEntry = z.infer<typeof folderEntrySchema>;

/** `GET /sharefolder/`: a share folder, with its quota and what it holds, as `df -h` writes sizes. */
export const shareFolderEntrySchema = z.extend(folderEntrySchema, {
  totalsize: z.string().check(z.describe('The folder\'s quota, e.g. "40G".')),
  usedsize: z.string().check(z.describe('What the folder holds, e.g. "143M".')),
  write: z.boolean().check(z.describe('Whether the folder may be written.')),
});
export type ShareFolderEntry = z.infer<typeof shareFolderEntrySchema>;

/** What `createRequestOf` (./create-request.ts) takes. JSON null counts as left out. */
export const createRequestSchema = z.object({
  name: z.string().check(z.minLength(1), z.describe('The new directory\'s or file\'s name.')),
  is_dir: z.boolean(),
  content: z.nullish(z.string()).check(z.describe('The text of a new file; empty when left out.')),
  context: z.nullish(z.string()).check(z.describe('What every example of the original API sends for `content`; read when `content` is left out.')),
});
