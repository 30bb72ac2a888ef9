// How long a share path may be, in UTF-8 bytes. Checked before anything is written, so that
// what the API accepts can always be stored, listed and deleted again.
//
// - A whole key is at most 1024 bytes: the limit of S3 object keys. A directory is stored as a
//   marker key `path/`, so a path itself may take 1023 bytes and still name a directory.
// - One segment (a file or directory name) is at most 233 bytes. S3 has no such limit, but
//   s3rver (the embedded emulator) stores the object `a/b/name` as files `a/b/name._S3rver_object`,
//   `name._S3rver_object.md5` and `name._S3rver_metadata.json`, and a file name on the disk is
//   at most 255 bytes. A longer name half-writes the object and leaves an orphan that makes every
//   later listing of its folder (and of the bucket, so the start-up check) fail. Every segment
//   may become the last one of a key (a HEAD for a file of that name), so the limit is uniform.

const FILESYSTEM_NAME_BYTES = 255;
const S3RVER_LONGEST_SUFFIX = '._S3rver_metadata.json';

export const MAX_KEY_BYTES = 1024;
export const MAX_PATH_BYTES = MAX_KEY_BYTES - '/'.length;
export const MAX_NAME_BYTES = FILESYSTEM_NAME_BYTES - Buffer.byteLength(S3RVER_LONGEST_SUFFIX);
