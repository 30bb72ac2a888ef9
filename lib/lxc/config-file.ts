// LXC's container config file (lxc.container.conf(5)) as a list of lines, read with liblxc's own
// rules (src/lxc/confile.c, parse_line) so that the key and value stevedore sees are the ones LXC
// sees: a line is split at its first "=", blanks and tabs around key and value are dropped, and
// one pair of matching quotes around the whole value is removed (no escapes, no inner quoting).
// Comments and blank lines are kept with their text, so a file rewritten key by key keeps the
// rest as its author wrote it.
import * as z from 'zod/mini';
import { InvalidInput } from '../errors.ts';

export type LxcConfigLine =
  | { kind: 'blank'; raw: string }
  | { kind: 'comment'; raw: string }
  /** `value` is what LXC hands the key: trimmed and unquoted. */
  | { kind: 'entry'; raw: string; key: string; value: string }
  /** A line LXC refuses (no "=", a malformed key) or ignores (a key outside `lxc.`). */
  | { kind: 'invalid'; raw: string; problem: string };

export type LxcConfigEntry = Extract<LxcConfigLine, { kind: 'entry' }>;

/** Every key LXC knows is `lxc.` and dot-separated words of letters, digits, _ and -. */
const KEY = /^lxc\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const QUOTES = new Set(['"', "'"]);

/** The lines of a config file; a final newline ends the last line rather than starting another. */
export function parseLxcConfig(text: string): LxcConfigLine[] {
  if (text === '') return [];
  const raws = text.split('\n');
  if (raws.at(-1) === '') raws.pop();
  return raws.map(parseLxcLine);
}

export function parseLxcLine(raw: string): LxcConfigLine {
  // liblxc: blank if only these characters; left-trims blanks and tabs, right-trims those and NUL.
  if (/^[ \t\n\r\f\0]*$/.test(raw)) return { kind: 'blank', raw };
  const line = raw.replace(/^[ \t]+/, '');
  if (line.startsWith('#')) return { kind: 'comment', raw };
  if (!line.startsWith('lxc.')) return { kind: 'invalid', raw, problem: 'LXC ignores lines whose key does not start with "lxc."' };
  const equals = line.indexOf('=');
  if (equals < 0) return { kind: 'invalid', raw, problem: 'it is not a "key = value" line, which LXC refuses' };
  const key = line.slice(0, equals).replace(/[ \t\0]+$/, '');
  if (!KEY.test(key)) return { kind: 'invalid', raw, problem: `${JSON.stringify(key)} is not an LXC key` };
  return { kind: 'entry', raw, key, value: unquote(line.slice(equals + 1).replace(/^[ \t]+/, '').replace(/[ \t\0]+$/, '')) };
}

function unquote(value: string): string {
  return value.length > 1 && QUOTES.has(value[0]!) && value.at(-1) === value[0] ? value.slice(1, -1) : value;
}

/** The file's text: each line's text, each ended by a newline. */
export function serializeLxcConfig(lines: readonly LxcConfigLine[]): string {
  return lines.map((line) => `${line.raw}\n`).join('');
}

/** Characters that would end a line (or hide part of it) in a file LXC reads line by line. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/**
 * How a value is written so that LXC reads it back exactly: quoted when LXC would otherwise
 * trim its blanks or take off a pair of quotes that belongs to the value.
 */
export function formatLxcValue(value: string): string {
  const trimmed = value.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  return trimmed !== value || unquote(value) !== value ? `"${value}"` : value;
}

/** A `key = value` line. A value with a line break would smuggle in lines of its own: refused. */
export function entryLine(key: string, value: string): LxcConfigEntry {
  if (!KEY.test(key)) throw new InvalidInput(`${JSON.stringify(key)} is not an LXC key`);
  if (hasControlCharacters(value)) throw new InvalidInput(`the value of ${key} contains a line break or control character`);
  return { kind: 'entry', raw: `${key} = ${formatLxcValue(value)}`, key, value };
}

/**
 * The lines with `key` set to `values`: the new lines take the place of the key's first line,
 * its other lines go, comments and every other line stay where they are. A key the file did
 * not have is added at the end.
 */
export function setLxcEntries(lines: readonly LxcConfigLine[], key: string, values: readonly string[]): LxcConfigLine[] {
  const replacement = values.map((value) => entryLine(key, value));
  const first = lines.findIndex((line) => line.kind === 'entry' && line.key === key);
  if (first < 0) return [...lines, ...replacement];
  return lines.flatMap((line, index) => (index === first ? replacement : line.kind === 'entry' && line.key === key ? [] : [line]));
}

/**
 * Bounds of the config lines an archive carries (config.json's `lxc_config`): generous for a
 * real container (LXC's templates write 15-25 lines) and small enough that a hostile archive
 * cannot make the config LXC parses as root arbitrarily large.
 */
export const MAX_LXC_CONFIG_LINES = 512;
export const MAX_LXC_CONFIG_LINE_CHARS = 1024;

/** The `lxc_config` field of an archive's config.json: the config lines stevedore has no field for. */
export const lxcConfigLinesSchema = z
  .array(
    z.string().check(
      z.maxLength(MAX_LXC_CONFIG_LINE_CHARS, `must be at most ${MAX_LXC_CONFIG_LINE_CHARS} characters`),
      z.refine((line) => !hasControlCharacters(line), 'must be one line without control characters'),
    ),
  )
  .check(z.maxLength(MAX_LXC_CONFIG_LINES, `must have at most ${MAX_LXC_CONFIG_LINES} lines`));
