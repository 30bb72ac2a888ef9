// `POST /api/v1/container/{type}/{id}/export`: every rule of the spec checked before a task
// exists, then the task stored together with a reservation of its path, so that two
// unfinished exports can never write one file.
import type { ContainerType } from '../container/model.ts';
import { InvalidInput, MissingPath, NotFound } from '../errors.ts';
import type { JsonObject } from '../json-fields.ts';
import * as z from 'zod/mini';
import { parseRequest } from '../validation.ts';
import { quoteBounded } from '../quote.ts';
import type { Services } from '../ports.ts';
import { parent, parseBodyPath, requireWritable } from '../share/paths.ts';
import { apiPathOf, containerUse, pathUse } from './in-use.ts';
import type { TaskRecord } from './model.ts';
import { ANONYMOUS, submitTask } from './submit.ts';

const ARCHIVE_NAME = /^([a-zA-Z0-9_-]{1,20})\.(tar|tgz)$/;

/** The body: the archive's share path, and whether to compress and to replace a file. JSON null counts as left out. */
export const exportRequestSchema = z.object({
  path: z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be a string') })
    .check(
      z.minLength(1, 'is required'),
      z.meta({ description: 'The archive to write, `<share folder>/<dir...>/<file>.tar|.tgz`; the file name is 1-20 characters of a-z A-Z 0-9 - _.', examples: ['test/c.tgz'] }),
    ),
  compress: z.nullish(z.boolean()).check(z.meta({ description: 'gzip the archive; must agree with the extension (.tgz compressed, .tar not). Default: what the extension says.' })),
  force: z.nullish(z.boolean()).check(z.meta({ description: 'Replace an existing file. Default: false.' })),
});

type ExportServices = Pick<Services, 'config' | 'storage' | 'tasks' | 'runtimes'>;

export async function createExportTask(services: ExportServices, type: ContainerType, containerId: string, body: JsonObject, user = ANONYMOUS): Promise<TaskRecord> {
  const { config, storage, tasks, runtimes } = services;
  const request = parseRequest(exportRequestSchema, body);
  const rawPath = request.path;
  const path = parseBodyPath(rawPath, config.shareFolders);
  const fileName = path.segments.at(-1)!;
  const match = ARCHIVE_NAME.exec(fileName);
  if (path.segments.length < 2 || !match) {
    throw new InvalidInput(`Invalid export path "${quoteBounded(rawPath)}": the file name must be 1-20 characters of a-z A-Z 0-9 - _ with the extension .tar or .tgz`);
  }
  const extensionCompresses = match[2] === 'tgz';
  const compress = request.compress ?? extensionCompresses;
  if (compress !== extensionCompresses) {
    throw new InvalidInput(`"compress": ${compress} contradicts the extension of ${fileName}: .tgz is compressed, .tar is not`);
  }
  const force = request.force ?? false;

  const container = await runtimes.find(type, containerId);
  if (!container) throw new NotFound(`Container ${quoteBounded(containerId)} not found`);

  requireWritable(path);
  const folder = parent(path);
  if (!(await storage.isDirectory(folder))) throw new MissingPath(folder.display);
  const apiPath = apiPathOf(path);
  // Even with force: an object under a folder's name would be hidden by the folder's listing.
  if (await storage.isDirectory(path)) throw new InvalidInput(`${quoteBounded(apiPath)} is a folder; an export writes a file`);
  if (!force && (await storage.isFile(path))) {
    throw new InvalidInput(`${quoteBounded(apiPath)} already exists; send "force": true to replace it`);
  }

  const { id, name } = container.summary;
  return submitTask(
    tasks,
    'export',
    { type, cid: id, cname: name, user, path: apiPath, segments: path.segments, compress, force, uses: [pathUse(path), containerUse(type, id)] },
    { key: `export-path:${apiPath}`, takenMessage: `Another export to ${quoteBounded(apiPath)} has not finished yet` },
  );
}
