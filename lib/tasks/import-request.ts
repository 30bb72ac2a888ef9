// `POST /api/v1/import/<dirpath>/?name=<file>`: the body is a container creation request,
// checked like one before any task exists; the task reserves the container's name so two
// unfinished imports cannot create the same container.
import { SETTING_FIELDS } from '../container/schema.ts';
import type { JsonObject } from '../http/body.ts';
import { nameTaken } from '../runtimes/builtin.ts';
import { runtime } from '../runtimes/index.ts';
import { IMPORT_IMAGE, importSpec, parseImportRequest } from '../runtimes/spec.ts';
import type { SharePath } from '../share/paths.ts';
import { shareStorage } from '../share/storage.ts';
import { containerNameReservation, pathUse } from './in-use.ts';
import type { TaskRecord } from './model.ts';
import { ANONYMOUS, submitTask } from './submit.ts';
import { InvalidInput, MissingPath } from '../errors.ts';

export async function createImportTask(archive: SharePath, body: JsonObject, user = ANONYMOUS): Promise<TaskRecord> {
  const request = parseImportRequest(body);
  const spec = importSpec(request);
  const storage = shareStorage();
  // A folder hides an object of the same name from every listing: never read one.
  if (await storage.isDirectory(archive)) throw new InvalidInput(`${archive.display} is a folder; an import reads a file`);
  if (!(await storage.isFile(archive))) throw new MissingPath(archive.display);
  if (await runtime().isNameTaken(spec.name)) throw nameTaken(spec.name);

  // What the request said, as the spec echoes it; settings it left out come from the archive.
  const createParams: Record<string, unknown> = { image: IMPORT_IMAGE, name: spec.name, tag: spec.tag, type: spec.type };
  for (const field of SETTING_FIELDS) if (request[field] !== undefined) createParams[field] = request[field];
  const path = `/${archive.segments.join('/')}`;
  return submitTask(
    'import',
    { type: spec.type, cid: spec.name, cname: spec.name, user, path, image: IMPORT_IMAGE, create_params: createParams, uses: [pathUse(path)] },
    { key: containerNameReservation(spec.name), takenMessage: `Container ${spec.name} already exist!` },
  );
}
