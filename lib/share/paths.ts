// Path rules for share folders. Every path a client names is checked here, segment by
// segment, before it becomes an S3 key: nothing a client sends may name a key outside the
// configured share folders, whatever encoding or lookalike character it uses.
import type { ShareFolderConfig } from '../config.ts';
import { quoteBounded } from '../quote.ts';
import { MAX_PATH_BYTES } from '../key-limits.ts';
import { nameProblem } from '../names.ts';
import { InvalidInput, MissingPath, ReadOnly } from '../errors.ts';

/** A checked location inside a share folder. `segments[0]` is the share folder's name. */
export interface SharePath {
  folder: ShareFolderConfig;
  segments: string[];
  /** The path as the client gave it (decoded, without slashes around it), cut to a bounded
   *  prefix: the 400 message, and what other messages quote. */
  display: string;
}

export function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new InvalidInput(`Invalid name: ${problem}`);
  return name;
}

/**
 * Splits a raw (still percent-encoded) URL path tail, `''`, `/` or `/a/b[/]`, into decoded,
 * checked segments. Every slash separates two segments, so `//a` has an empty first segment
 * and is refused exactly like `a//b`, rather than quietly read as `/a`.
 */
export function decodeSegments(rawTail: string): { segments: string[]; trailingSlash: boolean } {
  const trailingSlash = rawTail.endsWith('/');
  if (rawTail === '' || rawTail === '/') return { segments: [], trailingSlash };
  const inner = rawTail.slice(1, trailingSlash ? -1 : undefined);
  const segments = inner.split('/').map((raw) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw new InvalidInput('Invalid path: malformed percent-encoding');
    }
    const problem = nameProblem(decoded);
    if (problem) throw new InvalidInput(`Invalid path: ${problem}`);
    return decoded;
  });
  return { segments, trailingSlash };
}

/** Resolves decoded segments to a share path; an unknown share folder is 400 with the path. */
export function resolveSharePath(segments: string[], folders: readonly ShareFolderConfig[]): SharePath {
  checkPathLength(segments);
  const display = displayOf(segments);
  const folder = folders.find((f) => f.name === segments[0]);
  if (!folder) throw new MissingPath(display);
  return { folder, segments, display };
}

/** The whole key must fit S3's limit, also as a directory marker (lib/key-limits.ts). */
function checkPathLength(segments: string[]): void {
  const bytes = segments.reduce((sum, segment) => sum + Buffer.byteLength(segment, 'utf8'), segments.length - 1);
  if (bytes > MAX_PATH_BYTES) throw new InvalidInput(`Invalid path: paths may be at most ${MAX_PATH_BYTES} bytes`);
}

function displayOf(segments: string[]): string {
  return quoteBounded(segments.join('/'));
}

/** Parses a path like `test/sub/c.tgz` from a JSON body (export's `path`). */
export function parseBodyPath(path: string, folders: readonly ShareFolderConfig[]): SharePath {
  if (path.includes('\\')) throw new InvalidInput('Invalid path: names may not contain slashes or backslashes');
  // One leading slash is the spec's own form (`/test/c.tgz`); a second one is an empty segment.
  const segments = path.replace(/^\//, '').split('/');
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) throw new InvalidInput(`Invalid path: ${problem}`);
  }
  return resolveSharePath(segments, folders);
}

export function requireWritable(path: SharePath): void {
  if (!path.folder.writable) throw new ReadOnly(`Share folder ${path.folder.name} is read-only`);
}

/** The S3 key of a file at this path. */
export function fileKey(path: SharePath): string {
  return path.segments.join('/');
}

/** The S3 prefix (and marker key) of a directory at this path. */
export function dirPrefix(path: SharePath): string {
  return `${path.segments.join('/')}/`;
}

export function child(path: SharePath, name: string): SharePath {
  const segments = [...path.segments, name];
  checkPathLength(segments);
  return { folder: path.folder, segments, display: displayOf(segments) };
}

export function parent(path: SharePath): SharePath {
  const segments = path.segments.slice(0, -1);
  return { folder: path.folder, segments, display: displayOf(segments) };
}
