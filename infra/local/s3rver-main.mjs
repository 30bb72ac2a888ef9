// The embedded stack's S3 emulator: s3rver, started as its own command would start it, with the
// storing of parts and the completion of multipart uploads replaced. s3rver completes a multipart
// upload by reading every part back through an MD5 hash into the object file, in place: it spent
// more CPU storing an export than the worker spent making it, left the uploader waiting in
// silence (14.5 s for 2 GiB) and let a reader see the object half-written. Here each part whose
// place in the object is known when it arrives (every part before it has begun, with its
// length: an uploader sending parts in order) is written straight to that place in a file of the
// upload's own, so that completing the upload writes nothing again: the file is cut after the
// last part listed and renamed into place. Parts that came otherwise are copied together at the
// completion. The object's ETag is made as S3 makes a multipart upload's, from the parts' MD5s
// (computed as they arrived): the MD5 of their concatenated digests, then "-" and the number of
// parts. Its metadata is written first and the file renamed into place last, so the object
// appears whole or not at all. A part has its `<uploadId>/<n>.md5` as in s3rver's own store, and
// either its own file `<n>` (s3rver's, so that parts of either store can be completed here) or
// a `<n>.at` giving its place in `<uploadId>/assembled`. Plain JavaScript, so that nothing loads
// but s3rver.
//   node --openssl-legacy-provider s3rver-main.mjs DIRECTORY ADDRESS PORT
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
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
async function writeAll(file, bytes, position) {
  for (let offset = 0; offset < bytes.length; ) {
    offset += (await file.write(bytes, offset, bytes.length - offset, position === null ? null : position + offset)).bytesWritten;
  }
}

const ASSEMBLED = 'assembled';
/**
 * The length of every part of each upload begun since this process started, by part number:
 * known from its Content-Length as soon as it begins, so that the next part, sent while this one
 * still streams, knows its place. Let go at the completion; an upload never completed leaves a
 * few numbers here until the emulator stops.
 */
const uploads = new Map();

/**
 * The place of a part in its object, when the length of every part before it is known. None
 * once a part was sent again with another length: the parts placed after it stay where they
 * are, and no part may be written over them.
 */
function placeOf(uploadId, partNumber, length) {
  let upload = uploads.get(uploadId);
  if (!upload) uploads.set(uploadId, (upload = { lengths: new Map(), reshaped: false }));
  if (!Number.isSafeInteger(length) || length <= 0) {
    upload.reshaped = true;
    return undefined;
  }
  const earlier = upload.lengths.get(partNumber);
  upload.lengths.set(partNumber, length);
  if (earlier !== undefined && earlier !== length) upload.reshaped = true;
  if (upload.reshaped) return undefined;
  let offset = 0;
  for (let number = 1; number < partNumber; number += 1) {
    const before = upload.lengths.get(number);
    if (before === undefined) return undefined;
    offset += before;
  }
  return { offset, length };
}

const { O_CREAT, O_WRONLY } = fsConstants;
server.store.putPart = async function putPart(bucket, uploadId, partNumber, content) {
  const uploadDir = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const partPath = join(uploadDir, String(partNumber));
  await mkdir(uploadDir, { recursive: true });
  // s3rver hands on the number as the query string had it.
  const place = placeOf(uploadId, Number(partNumber), Number(content.headers?.['content-length']));
  // A part sent again: whatever stood for it before goes first, so that nothing half-written does.
  await Promise.all([rm(partPath, { force: true }), rm(`${partPath}.at`, { force: true })]);
  // Without truncating: other parts are being written into the assembled file meanwhile.
  const file = place ? await open(join(uploadDir, ASSEMBLED), O_WRONLY | O_CREAT) : await open(partPath, 'w');
  const md5 = createHash('md5');
  let size = 0;
  try {
    const buffer = Buffer.allocUnsafe(PART_WRITE_BYTES);
    let filled = 0;
    const flush = async () => {
      const bytes = buffer.subarray(0, filled);
      md5.update(bytes);
      await writeAll(file, bytes, place ? place.offset + size : null);
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
  if (place && size !== place.length) throw new Error(`part ${partNumber} of upload ${uploadId} had ${size} bytes, not the ${place.length} it announced`);
  const digest = md5.digest('hex');
  await writeFile(`${partPath}.md5`, digest);
  // Written last: a part with a place counts once all of it is there.
  if (place) await writeFile(`${partPath}.at`, `${place.offset} ${place.length}`);
  return { size, md5: digest };
};

/** A part's place in the assembled file, or undefined when the part has a file of its own. */
async function storedPlaceOf(partPath) {
  const text = await readFile(`${partPath}.at`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const [offset, length] = text.split(' ').map(Number);
  return { offset, length };
}

const COPY_BYTES = 1024 * 1024;
server.store.putObjectMultipart = async function putObjectMultipart(bucket, uploadId, parts) {
  const uploadDir = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const [key, metadata] = await Promise.all([readFile(join(uploadDir, 'key'), 'utf8'), readFile(join(uploadDir, 'metadata'), 'utf8').then(JSON.parse)]);
  const ordered = [...parts].sort((a, b) => a.number - b.number);
  const partPaths = ordered.map(({ number }) => join(uploadDir, String(number)));
  const [digestTexts, stored] = await Promise.all([Promise.all(partPaths.map((part) => readFile(`${part}.md5`, 'utf8'))), Promise.all(partPaths.map(storedPlaceOf))]);
  const digests = createHash('md5');
  for (const text of digestTexts) digests.update(Buffer.from(text, 'hex'));
  // Where each part goes in the object: one after the other.
  const targets = [];
  let size = 0;
  for (const [i, part] of partPaths.entries()) {
    targets.push(size);
    size += stored[i]?.length ?? (await stat(part)).size;
  }
  const assembled = join(uploadDir, ASSEMBLED);
  let objectFile = assembled;
  // Every part with a place is where it belongs (the usual case, or all but a part that came before
  // the one ahead of it): the parts with files of their own are copied into their places.
  if (stored.every((place, i) => !place || place.offset === targets[i])) {
    await copyParts(assembled, partPaths.flatMap((part, i) => (stored[i] ? [] : [{ from: part, to: targets[i] }])), O_WRONLY | O_CREAT);
    await truncate(assembled, size);
  } else {
    objectFile = join(uploadDir, 'joined');
    await copyParts(objectFile, partPaths.map((part, i) => ({ from: stored[i] ? assembled : part, at: stored[i], to: targets[i] })), 'w');
  }
  const md5 = `${digests.digest('hex')}-${ordered.length}`;
  const objectPath = this.getResourcePath(bucket, key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  await this.putMetadata(bucket, key, new S3Object(bucket, key, null, metadata).metadata, md5);
  await rename(objectFile, objectPath);
  await rm(uploadDir, { recursive: true, force: true });
  uploads.delete(uploadId);
  return { size, md5 };
};

/**
 * Copies each part (`from` a file of its own, or `at` a place in the assembled file) to offset `to` of
 * `target`. Through one buffer, reused: a read stream's fresh buffer per read was garbage to
 * collect, and fresh memory to fault in. 1 MiB, like a part's writes: 2 MiB reads took five times
 * the time.
 */
async function copyParts(target, copies, flags) {
  const buffer = Buffer.allocUnsafe(COPY_BYTES);
  const out = await open(target, flags);
  try {
    for (const { from, at, to } of copies) {
      const input = await open(from, 'r');
      try {
        let read = 0;
        const length = at ? at.length : Number.POSITIVE_INFINITY;
        while (read < length) {
          const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, length - read), (at?.offset ?? 0) + read);
          if (bytesRead === 0) break;
          await writeAll(out, buffer.subarray(0, bytesRead), to + read);
          read += bytesRead;
        }
      } finally {
        await input.close();
      }
    }
  } finally {
    await out.close();
  }
}

const { address: boundAddress, port: boundPort } = await server.run();
console.log('S3rver listening on %s:%d', boundAddress, boundPort);
// Ends as a SIGTERM would, but through process.exit, so that a profile asked for with `--cpu-prof`
// (npm run bench:s3-emulator -- --profile) is written.
process.once('SIGTERM', () => process.exit(128 + 15));
