// DynamoDB sort keys hold at most 1024 bytes, while a share path alone may take 1023
// (lib/key-limits.ts). Keys built from paths (reservations, in-use markers) are kept
// under the limit here, so that a long but valid path never turns a request into a 500.
import { createHash } from 'node:crypto';

const MAX_SORT_KEY_BYTES = 1024;
/** Room left after the readable part for the separators and ids callers append. */
const READABLE_BYTES = 800;

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, never cutting a character. */
function utf8Prefix(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    used += Buffer.byteLength(char);
    if (used > bytes) break;
    out += char;
  }
  return out;
}

/** A key that must stay unique (a reservation): a long one becomes its prefix and a digest. */
export function uniqueSortKey(key: string): string {
  if (Buffer.byteLength(key) <= MAX_SORT_KEY_BYTES) return key;
  return `${utf8Prefix(key, READABLE_BYTES)}#sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The searchable part of a key whose items are found by prefix (in-use markers). Long values
 * are cut, so a prefix query may also find neighbours that share the cut part: callers
 * compare the full value, which the item keeps as an attribute.
 */
export function searchableSortKey(value: string): string {
  return utf8Prefix(value, READABLE_BYTES);
}
