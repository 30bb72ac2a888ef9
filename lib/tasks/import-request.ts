// `POST /api/v1/import/<dirpath>/?name=<file>`: the body is a container creation request,
// checked like one before any task exists; the task reserves the container's name so two
// unfinished imports cannot create the same container.
import { SETTING_FIELDS } from '../container/schema.ts';
import type { JsonObject } from '../http/body.ts';
import { badRequest } from '../http/errors.ts';
import { nameTaken } from '../runtimes/builtin.ts';
import { runtime } from '../runtimes/index.ts';
import { IMPORT_IMAGE, importSpec, parseImportRequest } from '../runtimes/spec.ts';
import type { SharePath } from '../share/paths.ts';
import { shareStorage } from '../share/storage.ts';
import type { TaskRecord } from './model.ts';
import { ANONYMOUS, submitTask } from './submit.ts';

export async function createImportTask(archive: SharePath, body: JsonObject, user = ANONYMOUS): Promise<TaskRecord> {
  const request = parseImportRequest(body);
  const spec = importSpec(request);
  if (!(await shareStorage().isFile(archive))) throw badRequest(archive.display);
  if (await runtime().isNameTaken(spec.name)) throw nameTaken(spec.name);

  // What the request said, as the spec echoes it; settings it left out come from the archive.
  const createParams: Record<string, unknown> = { image: IMPORT_IMAGE, name: spec.name, tag: spec.tag, type: spec.type };
  for (const field of SETTING_FIELDS) if (request[field] !== undefined) createParams[field] = request[field];
  return submitTask(
    'import',
    { type: spec.type, cid: spec.name, cname: spec.name, user, path: `/${archive.segments.join('/')}`, image: IMPORT_IMAGE, create_params: createParams },
    { key: `container-name:${spec.name}`, takenMessage: `Container ${spec.name} already exist!` },
  );
}
