// A share path as a user types it (`test/dir/c.tgz`, a leading `/` allowed) to the URL parts
// the API takes: each segment percent-encoded on its own, so a name with `#` or `?` stays a
// name. The server checks the segments; the CLI only splits them.
import { UsageError } from './errors.ts';

export function segmentsOf(path: string): string[] {
  return path.replace(/^\/+/, '').replace(/\/+$/, '').split('/').filter((segment) => segment !== '');
}

export function encodedPath(segments: readonly string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

/** Whether the user wrote the path as a folder (`test/dir/`), which the API's DELETE tells apart. */
export function namesFolder(path: string): boolean {
  return path.endsWith('/');
}

/** `test/dir/c.tgz` -> the folder `test/dir` and the name `c.tgz`, as import's URL takes them. */
export function splitFile(path: string): { folder: string[]; name: string } {
  const segments = segmentsOf(path);
  const name = segments.pop();
  if (name === undefined || segments.length === 0) throw new UsageError(`${path} is not a file in a share folder (like test/c.tgz)`);
  return { folder: segments, name };
}
