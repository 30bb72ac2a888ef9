// `POST /api/v1/container/{type}/{id}/export`: every rule of the spec checked before a task
// exists, then the task stored together with a reservation of its path, so that two
// unfinished exports can never write one file.
import { config } from '../config.ts';
import { optionalBoolean, requiredString, type JsonObject } from '../http/body.ts';
import { quoteBounded } from '../quote.ts';
import { parent, parseBodyPath, requireWritable } from '../share/paths.ts';
import { shareStorage } from '../share/storage.ts';
import { containerUse, pathUse } from './in-use.ts';
import { runtime } from '../runtimes/index.ts';
import type { ContainerType } from '../runtimes/runtime.ts';
import type { TaskRecord } from './model.ts';
import { ANONYMOUS, submitTask } from './submit.ts';
import { InvalidInput, MissingPath, NotFound } from '../errors.ts';

const ARCHIVE_NAME = /^([a-zA-Z0-9_-]{1,20})\.(tar|tgz)$/;

export async function createExportTask(type: ContainerType, containerId: string, body: JsonObject, user = ANONYMOUS): Promise<TaskRecord> {
  const rawPath = requiredString(body, 'path');
  const path = parseBodyPath(rawPath, config().shareFolders);
  const fileName = path.segments.at(-1)!;
  const match = ARCHIVE_NAME.exec(fileName);
  if (path.segments.length < 2 || !match) {
    throw new InvalidInput(`Invalid export path "${quoteBounded(rawPath)}": the file name must be 1-20 characters of a-z A-Z 0-9 - _ with the extension .tar or .tgz`);
  }
  const extensionCompresses = match[2] === 'tgz';
  const compress = optionalBoolean(body, 'compress') ?? extensionCompresses;
  if (compress !== extensionCompresses) {
    throw new InvalidInput(`"compress": ${compress} contradicts the extension of ${fileName}: .tgz is compressed, .tar is not`);
  }
  const force = optionalBoolean(body, 'force') ?? false;

  const container = await runtime().get(type, containerId);
  if (!container) throw new NotFound(`Container ${quoteBounded(containerId)} not found`);

  requireWritable(path);
  const storage = shareStorage();
  const folder = parent(path);
  if (!(await storage.isDirectory(folder))) throw new MissingPath(folder.display);
  const apiPath = `/${path.segments.join('/')}`;
  // Even with force: an object under a folder's name would be hidden by the folder's listing.
  if (await storage.isDirectory(path)) throw new InvalidInput(`${quoteBounded(apiPath)} is a folder; an export writes a file`);
  if (!force && (await storage.isFile(path))) {
    throw new InvalidInput(`${quoteBounded(apiPath)} already exists; send "force": true to replace it`);
  }

  return submitTask(
    'export',
    { type, cid: container.id, cname: container.name, user, path: apiPath, compress, force, uses: [pathUse(apiPath), containerUse(type, container.id)] },
    { key: `export-path:${apiPath}`, takenMessage: `Another export to ${quoteBounded(apiPath)} has not finished yet` },
  );
}
