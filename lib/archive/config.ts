// The content of config.json: written by pack, read back (untrusted) by inspect and unpack.
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

type FieldCheck = [field: string, expected: string, isValid: (value: unknown) => boolean];

const isString = (value: unknown) => typeof value === 'string';
const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

const FIELD_CHECKS: FieldCheck[] = [
  ['type', '"lxc" or "docker"', (value) => value === 'lxc' || value === 'docker'],
  ['name', 'a string', isString],
  ['image', 'a string', isString],
  ['arch', 'a string', isString],
  ['autostart', 'a boolean', (value) => typeof value === 'boolean'],
  ['network', 'an object', isObject],
  ['resource', 'an object', isObject],
  ['volume', 'an object', isObject],
  ['source', 'a string', isString],
];

/** Parses and checks config.json; every failure is an ArchiveError naming what is wrong. */
export function parseArchiveConfig(bytes: Buffer): ArchiveConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(parsed)) {
    throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: not a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  for (const [field, expected, isValid] of FIELD_CHECKS) {
    if (!isValid(record[field])) {
      throw new ArchiveError(`Invalid ${CONFIG_ENTRY_NAME}: "${field}" must be ${expected}`);
    }
  }
  return record as ArchiveConfig;
}
