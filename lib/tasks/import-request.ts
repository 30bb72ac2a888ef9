// `POST /api/v1/import/<dirpath>/?name=<file>`: the body is a container creation request,
// checked like one before any task exists; the task reserves the container's name so two
// unfinished imports cannot create the same container.
import { SETTING_FIELDS, type CreateParams, type Settings } from '../container/schema.ts';
import { InvalidInput, MissingPath } from '../errors.ts';
import type { JsonObject } from '../json-fields.ts';
import { nameTaken } from '../runtimes/registry.ts';
import { IMPORT_IMAGE, importSpec, parseImportRequest } from '../container/spec.ts';
import type { Services } from '../ports.ts';
import type { SharePath } from '../share/paths.ts';
import { apiPathOf, containerNameReservation, pathUse } from './in-use.ts';
import type { TaskRecord } from './model.ts';
import { ANONYMOUS, submitTask } from './submit.ts';

type ImportServices = Pick<Services, 'storage' | 'tasks' | 'runtimes'>;

export async function createImportTask({ storage, tasks, runtimes }: ImportServices, archive: SharePath, body: JsonObject, user = ANONYMOUS): Promise<TaskRecord> {
  const request = parseImportRequest(body);
  const spec = importSpec(request);
  // A folder hides an object of the same name from every listing: never read one.
  if (await storage.isDirectory(archive)) throw new InvalidInput(`${archive.display} is a folder; an import reads a file`);
  if (!(await storage.isFile(archive))) throw new MissingPath(archive.display);
  if (await runtimes.isNameTaken(spec.name)) throw nameTaken(spec.name);

  // What the request said, as the spec echoes it; settings it left out come from the archive.
  const given: Settings = {};
  for (const field of SETTING_FIELDS) if (request[field] !== undefined) Object.assign(given, { [field]: request[field] });
  const createParams: CreateParams = { image: IMPORT_IMAGE, name: spec.name, tag: spec.tag, type: spec.type, ...given };
  return submitTask(
    tasks,
    'import',
    {
      type: spec.type,
      cid: spec.name,
      cname: spec.name,
      user,
      path: apiPathOf(archive),
      segments: archive.segments,
      image: IMPORT_IMAGE,
      create_params: createParams,
      uses: [pathUse(archive)],
    },
    { key: containerNameReservation(spec.name), takenMessage: `Container ${spec.name} already exist!` },
  );
}
