// The config an imported container gets, and what import-inspect shows for an archive: both
// come from `importedConfig`, so inspect cannot promise what import would not do. For each
// setting the request wins, then the archive's config.json (only the fields that meet the
// container schema), then the defaults every container gets.
import * as z from 'zod/mini';
import type { ArchiveConfig } from '../archive/entry.ts';
import type { ContainerConfig } from './model.ts';
import { IMPORT_IMAGE, importSpec } from './spec.ts';
import { checkWith } from '../validation.ts';
import { hostArch } from './arch.ts';
import { nativeFieldSchemas, type NativeSettings } from './native.ts';
import { CONTAINER_NAME_RULE, SETTING_FIELDS, archiveFieldSchemas, type ArchiveField, type ContainerType, type ImportRequest } from './schema.ts';

/** The fields of an archive's config.json that met the container schema, and the native ones that met theirs. */
export type TrustedArchiveFields = { [F in ArchiveField]?: z.infer<(typeof archiveFieldSchemas)[F]> } & NativeSettings;

const checkedFieldSchemas = { ...archiveFieldSchemas, ...nativeFieldSchemas };

/**
 * config.json is untrusted input: each field import would take is checked like a request's,
 * and one that fails is left out (the default takes its place), with a warning saying why.
 * The archive stays importable, and nothing a client could not have asked for gets in.
 */
export function trustedArchiveFields(config: ArchiveConfig | undefined): { fields: TrustedArchiveFields; warnings: string[] } {
  const fields: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const field of Object.keys(checkedFieldSchemas) as (keyof typeof checkedFieldSchemas)[]) {
    if (config?.[field] === undefined) continue;
    // Checked inside an object of its own so that the message names the field's whole path.
    const checked = checkWith(z.object({ [field]: checkedFieldSchemas[field] }), { [field]: config[field] });
    if (checked.ok) fields[field] = checked.value[field];
    else warnings.push(`left out "${field}" of config.json: ${checked.message}`);
  }
  return { fields: fields as TrustedArchiveFields, warnings };
}

/** The native settings among the archive's trusted fields. */
export function nativeOf(fields: TrustedArchiveFields): NativeSettings {
  return fields.lxc_config === undefined ? {} : { lxc_config: fields.lxc_config };
}

/** The config of the container an import creates from `request` and the archive's fields. */
export function importedConfig(request: ImportRequest, fromArchive: TrustedArchiveFields): ContainerConfig {
  const spec = importSpec(request);
  const settings: Record<string, unknown> = {};
  for (const field of SETTING_FIELDS) {
    const value = request[field] ?? fromArchive[field] ?? spec[field];
    if (value !== undefined) settings[field] = value;
  }
  return {
    ...(settings as Pick<ContainerConfig, 'autostart' | 'network' | 'resource' | 'volume'>),
    arch: fromArchive.arch ?? hostArch(),
    image: fromArchive.image ?? spec.image,
    name: spec.name,
    type: spec.type,
  };
}

/**
 * A plain root-filesystem tarball (`docker export`, `tar -cf x.tar -C dir .`) says nothing of
 * its container; inspect answers what an import of it as an LXC container gets.
 */
const PLAIN_TARBALL_TYPE: ContainerType = 'lxc';

/** What inspect answers: the config import would give, and who wrote the archive when it says. */
export type InspectedConfig = ContainerConfig & { source?: string };

/** What inspect answers: the config import would give, named as in the archive or after the file. */
export function inspectedConfig(fromArchive: ArchiveConfig | undefined, fileName: string): InspectedConfig {
  if (!fromArchive) return importedConfig(requestOf(PLAIN_TARBALL_TYPE, nameFromFile(fileName)), {});
  const { fields } = trustedArchiveFields(fromArchive);
  return { ...importedConfig(requestOf(fromArchive.type, fromArchive.name), fields), source: fromArchive.source };
}

const requestOf = (type: ContainerType, name: string) => ({ type, name }) as ImportRequest;

const ARCHIVE_EXTENSION = /\.(tar\.gz|tgz|tar)$/i;

/** A container name made of a file's name, or "import" when too little of it is usable. */
export function nameFromFile(fileName: string): string {
  const candidate = fileName
    .replace(ARCHIVE_EXTENSION, '')
    .replace(/[^a-zA-Z0-9-_.]/g, '_')
    .replace(/^[^a-zA-Z0-9]+/, '')
    .slice(0, 64);
  return CONTAINER_NAME_RULE.test(candidate) ? candidate : IMPORT_IMAGE;
}
