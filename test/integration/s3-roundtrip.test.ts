// Byte-exact round trips of STREAMED uploads through the project's S3 client (lib/aws/clients.ts)
// against the emulator. With the SDK's default checksums (WHEN_SUPPORTED) a streamed body is
// sent with aws-chunked framing and trailing checksums, and s3rver stores that framing inside
// the object: these tests fail if that ever comes back.
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { uploadStream } from '../../lib/aws/stream-upload.ts';
import { describe, expect, inject, it, vi } from 'vitest';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();

const MIB = 1024 * 1024;

/**
 * A deterministic pseudo-random stream of `size` bytes (AES-128-CTR keystream from `seed`),
 * in uneven chunks so part boundaries never line up with chunk boundaries. Resolves `digest`
 * with the sha256 of exactly what was emitted.
 */
function pseudoRandomStream(size: number, seed: string): { stream: Readable; digest: Promise<string> } {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  let resolveDigest!: (hex: string) => void;
  const digest = new Promise<string>((resolve) => (resolveDigest = resolve));
  async function* chunks() {
    let left = size;
    let turn = 0;
    while (left > 0) {
      const length = Math.min(left, 64 * 1024 + ((turn++ * 7919) % 4096));
      const chunk = cipher.update(Buffer.alloc(length));
      hash.update(chunk);
      left -= length;
      yield chunk;
    }
    resolveDigest(hash.digest('hex'));
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest };
}

async function readBack(key: string): Promise<{ sha256: string; length: number; contentLength: number | undefined }> {
  const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of got.Body as Readable) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), length, contentLength: got.ContentLength };
}

/** One UploadPart of `Key` in the test bucket: the part as a completion lists it. */
async function sendPart(Key: string, UploadId: string, PartNumber: number, Body: Buffer): Promise<{ PartNumber: number; ETag: string | undefined }> {
  const { ETag } = await stack.aws.s3.send(new UploadPartCommand({ Bucket: stack.cfg.bucketName, Key, UploadId, PartNumber, Body, ContentLength: Body.length }));
  return { PartNumber, ETag };
}

/** Notes each UploadPart the S3 client sends: `stop` ends the noting and answers [part number, MiB] in part order. */
function recordPartLengths(): { stop(): [number, number][] } {
  const lengths: [number, number][] = [];
  stack.aws.s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { PartNumber: number; ContentLength: number };
      if (context.commandName === 'UploadPartCommand') lengths.push([input.PartNumber, input.ContentLength / MIB]);
      return next(args);
    },
    { step: 'initialize', name: 'partLengths' },
  );
  return {
    stop: () => {
      stack.aws.s3.middlewareStack.remove('partLengths');
      return lengths.sort((a, b) => a[0] - b[0]);
    },
  };
}

describe('streamed uploads through the project S3 client', () => {
  it('stores a PutObject with a Readable body of known ContentLength byte for byte', async () => {
    // Prepare: 3 MiB + 17 bytes, so the size is not a round number of chunks
    const size = 3 * MIB + 17;
    const { stream, digest } = pseudoRandomStream(size, 'put-object');
    const key = 'test/roundtrip/put-object.bin';

    // Act
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: key, Body: stream, ContentLength: size }));
    const back = await readBack(key);
    const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));

    // Assess
    expect({ sha256: back.sha256, length: back.length, contentLength: back.contentLength, headLength: head.ContentLength }).toStrictEqual({
      sha256: await digest,
      length: size,
      contentLength: size,
      headLength: size,
    });
  });

  it('stores a stream uploaded in 5 MiB parts byte for byte', async () => {
    // Prepare: 20 MiB + 12345 bytes: four full 5 MiB parts and a short fifth one
    const size = 20 * MIB + 12_345;
    const { stream, digest } = pseudoRandomStream(size, 'multipart-upload');
    const key = 'test/roundtrip/upload.bin';
    const partsSent: number[] = [];
    stack.aws.s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') partsSent.push((args.input as { PartNumber: number }).PartNumber);
        return next(args);
      },
      { step: 'initialize', name: 'countParts' },
    );

    // Act
    await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key, body: stream, partSize: 5 * MIB, concurrency: 2 });
    stack.aws.s3.middlewareStack.remove('countParts');
    const back = await readBack(key);

    // Assess: the content, and that it really went up as a multipart upload of five parts
    expect({ sha256: back.sha256, length: back.length, contentLength: back.contentLength }).toStrictEqual({
      sha256: await digest,
      length: size,
      contentLength: size,
    });
    expect(partsSent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  it('doubles the part size every so many parts, so that a stream longer than expected still fits in S3\'s 10,000 parts, byte for byte', async () => {
    // Prepare: 33 MiB + 5 bytes, with the size doubling every 2 parts: 5, 5, 10, 10, then the rest
    const size = 33 * MIB + 5;
    const { stream, digest } = pseudoRandomStream(size, 'growing-parts');
    const key = 'test/roundtrip/growing.bin';
    const parts = recordPartLengths();
    // Act
    await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key, body: stream, partSize: 5 * MIB, partsPerSize: 2 });
    // Assess
    expect(parts.stop()).toEqual([[1, 5], [2, 5], [3, 10], [4, 10], [5, 3 + 5 / MIB]]);
    expect((await readBack(key)).sha256).toBe(await digest);
  });

  it('makes the parts after a size learnt while the stream runs as big as that size needs', async () => {
    // Prepare: the stream's size becomes known (as 7 MiB parts) once 8 MiB of it were read, while the second part fills
    let floor = 0;
    const { stream, digest } = pseudoRandomStream(25 * MIB, 'late-size');
    async function* learning() {
      let read = 0;
      for await (const chunk of stream) {
        yield chunk as Buffer;
        read += (chunk as Buffer).length;
        if (read >= 8 * MIB) floor = 7 * MIB;
      }
    }
    const parts = recordPartLengths();
    // Act
    await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key: 'test/roundtrip/late.bin', body: learning(), partSize: 5 * MIB, minPartSize: () => floor });
    // Assess: the part being filled when the size came keeps its size; the ones after are bigger
    expect(parts.stop()).toEqual([[1, 5], [2, 5], [3, 7], [4, 7], [5, 1]]);
    expect((await readBack('test/roundtrip/late.bin')).sha256).toBe(await digest);
  });

  it("gives an object uploaded in parts S3's multipart ETag: the MD5 of its parts' MD5s, then the number of parts", async () => {
    // Prepare: three parts, the last one short
    const size = 12 * MIB + 99;
    const { stream } = pseudoRandomStream(size, 'multipart-etag');
    const key = 'test/roundtrip/etag.bin';
    // Act
    await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key, body: stream, partSize: 5 * MIB });
    const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    // Assess
    const digests = createHash('md5');
    for (let at = 0; at < bytes.length; at += 5 * MIB) digests.update(createHash('md5').update(bytes.subarray(at, at + 5 * MIB)).digest());
    expect(bytes.length).toBe(size);
    expect(head.ETag).toBe(`"${digests.digest('hex')}-3"`);
  });

  it('answers each part with the MD5 of its bytes as ETag, and a part sent again replaces the one before', async () => {
    // Prepare: part 1 sent twice (the second time other bytes), then a short part 2
    const { Bucket, Key } = { Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/resent.bin' };
    const first = Buffer.alloc(5 * MIB, 1);
    const again = Buffer.alloc(5 * MIB, 2);
    const last = Buffer.alloc(4321, 3);
    const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
    const { UploadId } = await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const send = (PartNumber: number, Body: Buffer) => stack.aws.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength: Body.length }));
    // Act
    const etags = [(await send(1, first)).ETag, (await send(1, again)).ETag, (await send(2, last)).ETag];
    const done = await stack.aws.s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etags[1] }, { PartNumber: 2, ETag: etags[2] }] } }),
    );
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    // Assess
    expect(etags).toEqual([`"${md5(first)}"`, `"${md5(again)}"`, `"${md5(last)}"`]);
    const etag = `"${createHash('md5').update(Buffer.from(md5(again) + md5(last), 'hex')).digest('hex')}-2"`;
    expect({ completed: done.ETag, got: got.ETag, sameBytes: bytes.equals(Buffer.concat([again, last])) }).toEqual({ completed: etag, got: etag, sameBytes: true });
  });

  it.skipIf(!inject('s3DataDir'))("completes an upload whose parts s3rver's own store wrote, as in a data dir of an earlier stevedore", async () => {
    // Prepare: the parts written into the emulator's directory by s3rver's FilesystemStore itself
    const { Bucket, Key } = { Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/older-parts.bin' };
    type Store = new (root: string) => { putPart(bucket: string, uploadId: string, partNumber: number, content: Readable): Promise<{ md5: string }> };
    const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem') as Store;
    const store = new FilesystemStore(inject('s3DataDir'));
    const parts = [Buffer.alloc(5 * MIB, 7), Buffer.alloc(777, 8)];
    const { UploadId } = await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const stored = [];
    for (const [i, part] of parts.entries()) {
      stored.push(await store.putPart(Bucket, UploadId!, i + 1, Readable.from([part])));
      // s3rver's store answers once it hashed a part, not once its file is written: wait for that.
      const file = join(inject('s3DataDir'), Bucket, '._S3rver_uploads', UploadId!, String(i + 1));
      await vi.waitUntil(async () => (await stat(file).catch(() => undefined))?.size === part.length, { timeout: 5000, interval: 10 });
    }
    // Act
    const done = await stack.aws.s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: stored.map(({ md5 }, i) => ({ PartNumber: i + 1, ETag: `"${md5}"` })) } }),
    );
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    // Assess
    const etag = `"${createHash('md5').update(Buffer.from(stored.map(({ md5 }) => md5).join(''), 'hex')).digest('hex')}-2"`;
    expect({ completed: done.ETag, sameBytes: bytes.equals(Buffer.concat(parts)) }).toEqual({ completed: etag, sameBytes: true });
  });

  it('assembles the parts a completion lists, in their order, whatever order they came in, sent again with another length, or followed by parts it leaves out', async () => {
    // Prepare: part 2 before part 1, part 2 sent again one MiB longer, a part 4 the completion leaves out
    const { Bucket, Key } = { Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/reordered.bin' };
    const [one, two, twoAgain, three, four] = [5, 5, 6, 1, 5].map((mib, i) => Buffer.alloc(mib * MIB + i, i + 1));
    const { UploadId } = await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const send = (PartNumber: number, Body: Buffer) => sendPart(Key, UploadId!, PartNumber, Body);
    await send(2, two!);
    const first = await send(1, one!);
    const third = await send(3, three!);
    const second = await send(2, twoAgain!);
    await send(4, four!);
    const parts = [first, second, third];
    // Act
    await stack.aws.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
    // Assess
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([one!, twoAgain!, three!]))).toBe(true);
  });

  it('drops the parts after the last one a completion lists, and takes a part sent again with another length as it came last', async () => {
    // Prepare: three parts in order, then the second again, shorter
    const { Bucket, Key } = { Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/shortened.bin' };
    const bodies = [Buffer.alloc(5 * MIB, 1), Buffer.alloc(5 * MIB, 2), Buffer.alloc(3 * MIB, 3), Buffer.alloc(4 * MIB, 4)];
    const { UploadId } = await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const send = (PartNumber: number, Body: Buffer) => sendPart(Key, UploadId!, PartNumber, Body);
    const first = await send(1, bodies[0]!);
    await send(2, bodies[1]!);
    await send(3, bodies[2]!);
    const second = await send(2, bodies[3]!);
    // Act: completed with the first two
    await stack.aws.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [first, second] } }));
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
    // Assess
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([bodies[0]!, bodies[3]!]))).toBe(true);
  });

  it.skipIf(!inject('s3DataDir'))('has the emulator write an upload sent in order to disk once, not again at its completion', async () => {
    // Prepare: the emulator's process (not its watchdog shell), by the data directory on its command line
    const s3rver = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).find((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv[0] === process.execPath && argv.includes(inject('s3DataDir'));
      } catch {
        return false;
      }
    });
    expect(s3rver).toBeDefined();
    const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${s3rver}/io`, 'utf8'))![1]);
    const { Bucket, Key } = { Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/written-once.bin' };
    const bodies = [5, 5, 5, 3].map((mib, i) => Buffer.alloc(mib * MIB + i, i + 1));
    const size = bodies.reduce((sum, body) => sum + body.length, 0);
    const before = written();
    // Act: each part begun once the one before was stored
    const { UploadId } = await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts = [];
    for (const [i, Body] of bodies.entries()) parts.push(await sendPart(Key, UploadId!, i + 1, Body));
    await stack.aws.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    // Assess: the bytes, plus a little for metadata and digests
    const bytesWritten = written() - before;
    expect(bytesWritten).toBeGreaterThanOrEqual(size);
    expect(bytesWritten).toBeLessThan(size + 64 * 1024);
    const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(bodies))).toBe(true);
  });

  it('stores a stream shorter than one part with a single request', async () => {
    const { stream, digest } = pseudoRandomStream(1 * MIB + 7, 'single-part');
    await uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key: 'test/roundtrip/small.bin', body: stream, partSize: 5 * MIB });
    expect((await readBack('test/roundtrip/small.bin')).sha256).toBe(await digest);
  });

  it('leaves no object when the stream fails after several parts', async () => {
    // Prepare: 12 MiB of data, then the source breaks
    async function* breaking() {
      for (let i = 0; i < 12; i++) yield Buffer.alloc(MIB, i);
      throw new Error('the source broke');
    }
    // Act
    const upload = uploadStream({ client: stack.aws.s3, bucket: stack.cfg.bucketName, key: 'test/roundtrip/broken.bin', body: breaking(), partSize: 5 * MIB });
    // Assess
    await expect(upload).rejects.toThrow('the source broke');
    await expect(stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.cfg.bucketName, Key: 'test/roundtrip/broken.bin' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
