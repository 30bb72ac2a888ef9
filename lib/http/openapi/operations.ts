// What each route of the manifest takes and answers, by manifest name, in the schemas its code
// validates requests with (lib/container/schema.ts, lib/tasks/export-request.ts, ...) and the
// schemas of the answers it builds (the *-schema.ts modules beside each builder). Only the
// OpenAPI function (functions/docs/openapi.ts) imports it: no other bundle carries the document.
import * as z from 'zod/mini';
import { credentialsSchema, loginAnswerSchema, logoutAnswerSchema } from '../../auth/api-schema.ts';
import { containerRequestSchema, containerTypeSchema, importRequestSchema } from '../../container/schema.ts';
import { containerConfigSchema, containerSummarySchema, inspectedConfigSchema } from '../../container/view-schema.ts';
import { eventPageQuerySchema, eventPageSchema } from '../../events/page-schema.ts';
import { createRequestSchema, folderEntrySchema, shareFolderEntrySchema } from '../../share/entry-schema.ts';
import { clearedTaskIdsSchema, exportTaskSchema, importTaskSchema } from '../../tasks/api-task-schema.ts';
import { exportRequestSchema } from '../../tasks/export-request.ts';
import { CURSOR_HEADER } from '../../tasks/long-poll.ts';
import type { Operation } from './document.ts';

const containerPath = z.object({
  type: containerTypeSchema,
  id: z.string().check(z.describe('An LXC container\'s name; a Docker container\'s id (or its name).')),
});
const sharePath = z.object({ path: z.string().check(z.describe('A share path: the share folder, then directories (and a file).')) });
const archiveQuery = z.object({ name: z.string().check(z.minLength(1), z.meta({ description: 'The archive\'s file name in that folder.', examples: ['c.tgz'] })) });
const include = z
  .optional(z.string().check(z.regex(/^bytes$/)))
  .check(z.describe('Fields beyond the original API\'s: `bytes` adds `bytes_done` and `bytes_total` to running tasks whose size is known.'));
const listQuery = z.object({ include });
const progressQuery = z.object({
  include,
  cursor: z
    .optional(z.string().check(z.regex(/^\d{1,16}$/)))
    .check(z.describe(`The \`${CURSOR_HEADER}\` a previous poll answered: every change after it is answered at once.`)),
});

const emptyObject = { id: 'Empty', schema: z.strictObject({}) };
const exportTasks = { id: 'ExportTaskList', schema: z.array(exportTaskSchema) };
const importTasks = { id: 'ImportTaskList', schema: z.array(importTaskSchema) };
const cleared = { id: 'ClearedTaskIds', schema: clearedTaskIdsSchema, description: 'The ids of the finished tasks removed, e.g. `[1, 2]` or `[]`.' };
const cursorHeader = { [CURSOR_HEADER]: { description: 'Send it back as `?cursor=` so that no change between two polls is missed.', schema: z.string().check(z.regex(/^\d+$/)) } };
const longPoll = (kind: string) =>
  `A long poll: answers, at once or when one changes, the ${kind} tasks that started, progressed or ended since it began (or since \`cursor\`), ` +
  'in their current state; `[]` when nothing changed within its bound (about 20 s). State changes are also events (GET /event).';

export const operations: Record<string, Operation> = {
  login: {
    tag: 'session',
    summary: 'Log in',
    description: 'Sets the session cookie `stevedore_sid` (HttpOnly, SameSite=Strict). Failures are limited per user and per address.',
    body: { id: 'Credentials', schema: credentialsSchema, form: true },
    answer: { id: 'LoginAnswer', schema: loginAnswerSchema, description: 'The new session.' },
    errors: [401, 429],
  },
  'login-refresh': {
    tag: 'session',
    summary: 'Renew the session for another full lifetime',
    answer: { id: 'LoginAnswer', schema: loginAnswerSchema, description: 'The renewed session.' },
  },
  logout: {
    tag: 'session',
    summary: 'End the session',
    answer: { id: 'LogoutAnswer', schema: logoutAnswerSchema, description: 'Whose session ended; the cookie is cleared.' },
  },
  'sharefolder-list': {
    tag: 'files',
    summary: 'List the share folders, or a directory in one',
    description: 'Without a path: the share folders with their sizes. With one: the directory\'s entries, directories first, each sorted by name.',
    path: sharePath,
    answer: { id: 'FolderListing', schema: z.union([z.array(shareFolderEntrySchema), z.array(folderEntrySchema)]), description: 'The entries.' },
  },
  'sharefolder-create': {
    tag: 'files',
    summary: 'Create a directory or a text file in a directory',
    description: 'The path names the directory to create in, with a trailing slash.',
    path: sharePath,
    body: { id: 'CreateEntryRequest', schema: createRequestSchema },
    answer: { id: 'DirectoryListing', schema: z.array(folderEntrySchema), description: 'The directory\'s entries after the creation.' },
    errors: [403, 413],
  },
  'sharefolder-delete': {
    tag: 'files',
    summary: 'Delete a file, or a directory (trailing slash) and everything in it',
    description: 'Refused while an unfinished task reads or writes the path.',
    path: sharePath,
    answer: { ...emptyObject, description: 'A directory: `{}`. A file: an empty body.' },
    errors: [403],
  },
  'container-create': {
    tag: 'containers',
    summary: 'Create a container',
    body: { id: 'ContainerRequest', schema: containerRequestSchema },
    answer: { id: 'ContainerSummary', schema: containerSummarySchema, description: 'The new container.' },
    errors: [413],
  },
  'container-list': {
    tag: 'containers',
    summary: 'List the containers of every type',
    answer: { id: 'ContainerList', schema: z.array(containerSummarySchema), description: 'The containers.' },
  },
  'container-get': {
    tag: 'containers',
    summary: 'A container',
    path: containerPath,
    answer: { id: 'ContainerSummary', schema: containerSummarySchema, description: 'The container.' },
    errors: [404],
  },
  'container-config': {
    tag: 'containers',
    summary: 'A container\'s whole config',
    path: containerPath,
    answer: { id: 'ContainerConfig', schema: containerConfigSchema, description: 'What an export of it records, keys sorted.' },
    errors: [404],
  },
  'container-remove': {
    tag: 'containers',
    summary: 'Remove a container',
    description: 'Refused while an unfinished export reads it.',
    path: containerPath,
    answer: { ...emptyObject, description: '`{}`' },
    errors: [404],
  },
  'export-create': {
    tag: 'export',
    summary: 'Export a container to an archive in a share folder',
    description: 'Every rule is checked before the task exists; the task then runs in the background (GET /export, /export/progress).',
    path: containerPath,
    body: { id: 'ExportRequest', schema: exportRequestSchema },
    answer: { id: 'ExportTask', schema: exportTaskSchema, description: 'The new task, `waiting`.' },
    errors: [403, 404, 413],
  },
  'export-list': { tag: 'export', summary: 'The export tasks, newest first', query: listQuery, answer: { ...exportTasks, description: 'The tasks.' } },
  'export-progress': {
    tag: 'export',
    summary: 'Wait for export progress',
    description: longPoll('export'),
    query: progressQuery,
    headers: cursorHeader,
    answer: { ...exportTasks, description: 'The tasks that changed.' },
  },
  'export-clear': { tag: 'export', summary: 'Remove the completed and aborted export tasks', answer: cleared },
  'import-list': { tag: 'import', summary: 'The import tasks, newest first', query: listQuery, answer: { ...importTasks, description: 'The tasks.' } },
  'import-progress': {
    tag: 'import',
    summary: 'Wait for import progress',
    description: longPoll('import'),
    query: progressQuery,
    headers: cursorHeader,
    answer: { ...importTasks, description: 'The tasks that changed.' },
  },
  'import-clear': { tag: 'import', summary: 'Remove the completed and aborted import tasks', answer: cleared },
  'import-inspect': {
    tag: 'import',
    summary: 'The config an import of an archive would give its container',
    description: 'Reads only the archive\'s head. A plain root-filesystem tarball answers what an LXC import of it gets.',
    path: sharePath,
    query: archiveQuery,
    answer: { id: 'InspectedConfig', schema: inspectedConfigSchema, description: 'The config, keys sorted.' },
  },
  'import-create': {
    tag: 'import',
    summary: 'Import a container from an archive in a share folder',
    description: 'The body is a container creation request; `image` and `tag` may be left out, and what it leaves out comes from the archive.',
    path: sharePath,
    query: archiveQuery,
    body: { id: 'ImportRequest', schema: importRequestSchema },
    answer: { id: 'ImportTask', schema: importTaskSchema, description: 'The new task, `waiting`.' },
    errors: [413],
  },
  'event-list': {
    tag: 'events',
    summary: 'A page of the event log, newest first',
    query: eventPageQuerySchema,
    answer: { id: 'EventPage', schema: eventPageSchema, description: 'Up to 20 events.' },
  },
  openapi: {
    tag: 'reference',
    summary: 'This document',
    answer: { id: 'OpenApiDocument', schema: z.record(z.string(), z.unknown()), description: 'The OpenAPI 3.1 description of every route.' },
  },
  docs: {
    tag: 'reference',
    summary: 'The interactive reference of this document, and its assets',
    description: 'An HTML page (Swagger UI) and the scripts and styles it loads, all served from here: it works offline.',
    path: z.object({ file: z.string().check(z.describe('One of the page\'s assets.')) }),
    answer: { media: 'text/html', description: 'The page, or the asset named.' },
    errors: [404],
  },
};
