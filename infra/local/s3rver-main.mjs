// The embedded stack's S3 emulator: s3rver, started as its own command would start it, with one
// part replaced. s3rver completes a multipart upload by reading every part back through an
// MD5 hash into the object file, in place: it spent more CPU storing an export than the worker
// spent making it, left the uploader waiting in silence (14.5 s for 2 GiB) and let a reader see
// the object half-written. Here the parts are copied into a file of the upload's own, and the
// object's ETag is made as S3 makes a multipart upload's, from the parts' MD5s (which s3rver
// computed as they arrived): the MD5 of their concatenated digests, then "-" and the number of
// parts. Its metadata is written first and the file renamed into place last, so the object
// appears whole or not at all. Plain JavaScript, so that nothing loads but s3rver.
//   node --openssl-legacy-provider s3rver-main.mjs DIRECTORY ADDRESS PORT
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');

const [directory, address, port] = process.argv.slice(2);
await mkdir(directory, { recursive: true });
const server = new S3rver({ directory, address, port: Number(port), silent: true, vhostBuckets: false });

server.store.putObjectMultipart = async function putObjectMultipart(bucket, uploadId, parts) {
  const uploadDir = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const [key, metadata] = await Promise.all([readFile(join(uploadDir, 'key'), 'utf8'), readFile(join(uploadDir, 'metadata'), 'utf8').then(JSON.parse)]);
  const ordered = [...parts].sort((a, b) => a.number - b.number);
  const assembled = join(uploadDir, 'assembled');
  const out = createWriteStream(assembled);
  const digests = createHash('md5');
  try {
    for (const { number } of ordered) {
      const part = join(uploadDir, String(number));
      digests.update(Buffer.from(await readFile(`${part}.md5`, 'utf8'), 'hex'));
      await pipeline(createReadStream(part, { highWaterMark: 1024 * 1024 }), out, { end: false });
    }
    await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    out.destroy();
    throw err;
  }
  const size = out.bytesWritten;
  const md5 = `${digests.digest('hex')}-${ordered.length}`;
  const objectPath = this.getResourcePath(bucket, key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  await this.putMetadata(bucket, key, new S3Object(bucket, key, null, metadata).metadata, md5);
  await rename(assembled, objectPath);
  await rm(uploadDir, { recursive: true, force: true });
  return { size, md5 };
};

const { address: boundAddress, port: boundPort } = await server.run();
console.log('S3rver listening on %s:%d', boundAddress, boundPort);
// Ends as a SIGTERM would, but through process.exit, so that a profile asked for with `--cpu-prof`
// (npm run bench:s3-emulator -- --profile) is written.
process.once('SIGTERM', () => process.exit(128 + 15));
