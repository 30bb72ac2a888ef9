// The embedded stack's S3 emulator: s3rver, started as its own command would start it, with the
// storing of parts and the completion of multipart uploads replaced. s3rver completes a multipart
// upload by reading every part back through an MD5 hash into the object file, in place: it spent
// more CPU storing an export than the worker spent making it, left the uploader waiting in
// silence (14.5 s for 2 GiB) and let a reader see the object half-written. Here the parts are
// copied into a file of the upload's own, and the object's ETag is made as S3 makes a multipart
// upload's, from the parts' MD5s (computed as they arrived): the MD5 of their concatenated
// digests, then "-" and the number of parts. Its metadata is written first and the file renamed
// into place last, so the object appears whole or not at all. The files are those s3rver
// writes (a part `<uploadId>/<n>` and its `<n>.md5`), so uploads and objects of either stay
// readable by the other. Plain JavaScript, so that nothing loads but s3rver.
//   node --openssl-legacy-provider s3rver-main.mjs DIRECTORY ADDRESS PORT
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');

const [directory, address, port] = process.argv.slice(2);
await mkdir(directory, { recursive: true });
const server = new S3rver({ directory, address, port: Number(port), silent: true, vhostBuckets: false });

// s3rver stores a part by piping the request through a Transform that hashes it into a file
// stream: every 64 KiB socket chunk waits in the stream's queue for its own write, and the chunks
// that outlive a young collection made garbage collection s3rver's largest cost (0.76 CPU s in a
// 278 MiB upload and its read-back, more than the MD5). Here each chunk is copied at once into a buffer of the
// request's own, hashed and written a MiB at a time, and dies young.
// Not more: 2 MiB writes cost s3rver several times the system time of 1 MiB ones here.
const PART_WRITE_BYTES = 1024 * 1024;
// A young-generation collection every 8 MiB of parts received. The bodies arrive as 64 KiB
// buffers that die at once, but so little else is allocated that V8's young generation never
// filled: only the buffers' outside-the-heap size set off collections, every one a full one (28
// for a 278 MiB upload and its read-back). A command-line --max-semi-space-size=1 did as well
// for the parts, but made listing-heavy requests (a folder of 20000 objects deleted) 16 % slower.
setFlagsFromString('--expose-gc');
const collectYoung = runInNewContext('gc');
const SCAVENGE_BYTES = 8 * 1024 * 1024;
let bytesSinceScavenge = 0;
async function writeAll(file, bytes) {
  for (let offset = 0; offset < bytes.length; ) offset += (await file.write(bytes, offset)).bytesWritten;
}
server.store.putPart = async function putPart(bucket, uploadId, partNumber, content) {
  const partPath = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
  await mkdir(dirname(partPath), { recursive: true });
  const file = await open(partPath, 'w');
  const md5 = createHash('md5');
  let size = 0;
  try {
    const buffer = Buffer.allocUnsafe(PART_WRITE_BYTES);
    let filled = 0;
    const flush = async () => {
      const bytes = buffer.subarray(0, filled);
      md5.update(bytes);
      await writeAll(file, bytes);
      size += filled;
      filled = 0;
    };
    for await (const chunk of content) {
      bytesSinceScavenge += chunk.length;
      if (bytesSinceScavenge >= SCAVENGE_BYTES) {
        bytesSinceScavenge = 0;
        collectYoung({ type: 'minor' });
      }
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(buffer, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === buffer.length) await flush();
      }
    }
    if (filled > 0) await flush();
  } finally {
    await file.close();
  }
  const digest = md5.digest('hex');
  await writeFile(`${partPath}.md5`, digest);
  return { size, md5: digest };
};

const COPY_BYTES = 1024 * 1024;
server.store.putObjectMultipart = async function putObjectMultipart(bucket, uploadId, parts) {
  const uploadDir = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const [key, metadata] = await Promise.all([readFile(join(uploadDir, 'key'), 'utf8'), readFile(join(uploadDir, 'metadata'), 'utf8').then(JSON.parse)]);
  const ordered = [...parts].sort((a, b) => a.number - b.number);
  const assembled = join(uploadDir, 'assembled');
  const digests = createHash('md5');
  // Copied through one buffer, reused: a read stream's fresh buffer per read was garbage to collect,
  // and fresh memory to fault in. 1 MiB, like a part's writes: 2 MiB reads took five times the time.
  const buffer = Buffer.allocUnsafe(COPY_BYTES);
  let size = 0;
  const out = await open(assembled, 'w');
  try {
    for (const { number } of ordered) {
      const part = join(uploadDir, String(number));
      digests.update(Buffer.from(await readFile(`${part}.md5`, 'utf8'), 'hex'));
      const input = await open(part, 'r');
      try {
        for (;;) {
          const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) break;
          await writeAll(out, buffer.subarray(0, bytesRead));
          size += bytesRead;
        }
      } finally {
        await input.close();
      }
    }
  } finally {
    await out.close();
  }
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
