// s3rver stores an object `a/b/name` as the files `a/b/name._S3rver_object`, `.md5` and
// `name._S3rver_metadata.json`, written one after the other. A name too long for the disk
// (which an older stevedore let through, see lib/key-limits.ts) or a crash between the
// writes leaves an object file without its metadata, and from then on s3rver fails every
// listing of its folder. The embedded stack removes such half-written objects at start, before
// it serves (so no write is in progress), and one bad entry never takes a share folder down; a
// whole object is never touched.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const OBJECT_SUFFIX = '._S3rver_object';
const METADATA_SUFFIX = '._S3rver_metadata.json';
const UPLOADS_DIR = '._S3rver_uploads';

/** Removes the half-written objects of a bucket; answers the keys (relative paths) removed. */
export async function removeHalfWrittenObjects(s3DataDir: string, bucket: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (relative === '' && entry.name === UPLOADS_DIR) continue;
        await walk(join(dir, entry.name), `${relative}${entry.name}/`);
        continue;
      }
      if (!entry.name.endsWith(OBJECT_SUFFIX)) continue;
      const name = entry.name.slice(0, -OBJECT_SUFFIX.length);
      if (names.has(`${name}${METADATA_SUFFIX}`)) continue;
      await rm(join(dir, entry.name), { force: true });
      // Its checksum file may be missing, or (for the names that made the orphan) impossible to name.
      await rm(join(dir, `${entry.name}.md5`), { force: true }).catch(() => undefined);
      removed.push(`${relative}${name}`);
    }
  };
  await walk(join(s3DataDir, bucket), '');
  return removed;
}
