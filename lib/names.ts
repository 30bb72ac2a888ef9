// What one name in a path may be: a share path's segment, a new file's name, a volume's path
// segment. One rule for every name a client sends, so that no encoding or lookalike character
// can make a name mean a separator or a step up.
import { MAX_NAME_BYTES } from './key-limits.ts';

// Characters that look like or normalise to a separator or a dot: refused outright rather
// than trusted to be harmless in every tool that later reads the key.
const LOOKALIKES = /[\u2024\u2025\u2026\u2215\u2044\u29f5\u29f8\u29f9\ufe52\ufe68\uff0e\uff0f\uff3c]/u;
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u;
const ENCODED_SEQUENCE = /%[0-9a-fA-F]{2}/;

/** Why a single name (a path segment or a new file's name) is refused, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'empty path segment';
  if (name === '.' || name === '..') return `"${name}" is not allowed in a path`;
  if (name.includes('/') || name.includes('\\')) return 'names may not contain slashes or backslashes';
  if (INVISIBLE_OR_CONTROL.test(name)) return 'names may not contain control or invisible characters';
  if (LOOKALIKES.test(name)) return 'names may not contain characters that look like separators or dots';
  const compat = name.normalize('NFKC');
  if (compat === '.' || compat === '..' || compat.includes('/') || compat.includes('\\')) {
    return 'names may not contain characters that normalise to separators or dots';
  }
  if (ENCODED_SEQUENCE.test(name)) return 'names may not contain percent-encoded sequences';
  if (name.trim() !== name) return 'names may not start or end with white space';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `names may be at most ${MAX_NAME_BYTES} bytes`;
  return undefined;
}
