// The content of config.json: written by pack, read back (untrusted) by inspect and unpack.
import * as z from 'zod/mini';
import { containerTypeSchema } from '../container-type.ts';
import { checkWith } from '../validation.ts';
import type { ArchiveConfig } from './entry.ts';
import { ArchiveError } from './errors.ts';
import { CONFIG_ENTRY_NAME, MAX_CONFIG_BYTES } from './format.ts';

export function serializeArchiveConfig(config: ArchiveConfig): Buffer {
  const bytes = Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
  // Readers refuse a bigger config, so refuse to write an archive nobody could import.
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ArchiveError(`${CONFIG_ENTRY_NAME} would be ${bytes.length} bytes, more than the ${MAX_CONFIG_BYTES} allowed`);
  }
  return bytes;
}

const jsonObject = z.record(z.string(), z.unknown());

/**
 * What makes a config.json one of ours: the fields every config has, of the right types. The
 * content of the settings is checked where import takes them (lib/container/import-config.ts).
 */
const archiveConfigSchema = z.looseObject({
  type: containerTypeSchema,
  name: z.string(),
  image: z.string(),
  arch: z.string(),
  autostart: z.boolean(),
  network: jsonObject,
  resource: jsonObject,
  volume: jsonObject,
  source: z.string(),
});

/** Parses and checks config.json; every failure is an ArchiveError naming what is wrong. */
export function parseArchiveConfig(bytes: Buffer): ArchiveConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: not a JSON object`);
  }
  const checked = checkWith(archiveConfigSchema, parsed);
  if (!checked.ok) throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: ${checked.message}`);
  // The parse keeps every field: a config is shown, and later imported, as the archive has it.
  return checked.value as ArchiveConfig;
}
