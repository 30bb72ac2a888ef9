// An import task: S3 object -> gunzip when the bytes are gzip -> tar entries, checked one by
// one (lib/archive/unpack.ts) -> the runtime's import. The runtime registers the container
// only after the last entry, so a corrupt or truncated archive leaves nothing behind.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readArchive } from '../archive/unpack.ts';
import { clients } from '../aws/clients.ts';
import { config } from '../config.ts';
import { countBytes } from '../count-bytes.ts';
import { hostArch } from '../runtimes/builtin.ts';
import { runtime } from '../runtimes/index.ts';
import type { ContainerConfig, ContainerSpec } from '../runtimes/runtime.ts';
import { parseContainerSpec } from '../runtimes/spec.ts';
import { OVERRIDABLE_FIELDS } from '../tasks/import-request.ts';
import { progressPercent, type TaskRecord } from '../tasks/model.ts';
import { TaskFailure } from './failure.ts';
import type { ProgressReporter } from './progress.ts';

export async function runImport(task: TaskRecord, progress: ProgressReporter): Promise<string[]> {
  const cfg = config();
  const given = task.create_params ?? {};
  const spec = parseContainerSpec(given, { forImport: true });
  const object = await clients().s3.send(new GetObjectCommand({ Bucket: cfg.bucketName, Key: task.path.replace(/^\//, '') }), {
    abortSignal: progress.signal,
  }).catch((err: unknown) => {
    throw new TaskFailure(`Cannot read ${task.path}: ${(err as Error).name === 'NoSuchKey' ? 'the file no longer exists' : (err as Error).message}`);
  });
  const total = object.ContentLength ?? 0;
  const counted = countBytes(object.Body as NodeJS.ReadableStream, (read) => progress.update(progressPercent(read, total)));

  const archive = await readArchive(counted);
  await runtime().importRootfs(spec, mergeConfig(spec, given, archive.config), archive.entries);
  return archive.warnings;
}

/** The archive's config is untrusted input: only the fields a container config has are taken. */
const ARCHIVE_CONFIG_FIELDS = ['arch', 'autostart', 'image', 'name', 'network', 'resource', 'type', 'volume', 'command', 'entrypoint', 'environment'];

function knownFields(fromArchive: ContainerConfig | undefined): Partial<ContainerConfig> {
  if (!fromArchive) return {};
  return Object.fromEntries(ARCHIVE_CONFIG_FIELDS.filter((f) => fromArchive[f] !== undefined).map((f) => [f, fromArchive[f]]));
}

/** The archive's config, with what the import request said taking precedence. */
function mergeConfig(spec: ContainerSpec, given: Record<string, unknown>, fromArchive: ContainerConfig | undefined): ContainerConfig {
  const pick = <K extends (typeof OVERRIDABLE_FIELDS)[number]>(field: K): ContainerSpec[K] =>
    given[field] !== undefined ? spec[field] : ((fromArchive?.[field] as ContainerSpec[K] | undefined) ?? spec[field]);
  return {
    ...knownFields(fromArchive),
    ...spec.extra,
    arch: fromArchive?.arch ?? hostArch(),
    autostart: pick('autostart'),
    image: fromArchive?.image ?? spec.image,
    name: spec.name,
    network: pick('network'),
    resource: pick('resource'),
    type: spec.type,
    volume: pick('volume'),
  };
}
