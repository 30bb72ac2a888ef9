// Entry names as found in tar headers, brought to one form: relative to the container's root,
// `/`-separated, no empty or `.` segments, no trailing slash (directories included), and `''`
// for the root itself. Names that climb with `..` are refused rather than resolved: a segment
// before the `..` may be a symlink, and then the lexical answer is not where an extractor lands.

export type EntryPath =
  | { safe: true; path: string; hadLeadingSlash: boolean }
  | { safe: false; reason: string };

export function normalizeEntryPath(name: string): EntryPath {
  if (name.includes('\0')) {
    return { safe: false, reason: 'name contains a NUL byte' };
  }
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    return { safe: false, reason: climbsAboveRoot(segments) ? 'path escapes the root' : 'path contains ".."' };
  }
  return { safe: true, path: segments.join('/'), hadLeadingSlash: name.startsWith('/') };
}

function climbsAboveRoot(segments: string[]): boolean {
  let depth = 0;
  for (const segment of segments) {
    depth += segment === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}
