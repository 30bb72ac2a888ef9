// Archive transfers outlast the API's idle timeout where a healthy store is silent: a store that
// joins a large upload's parts before it answers the completion, and a read the worker's own
// consumer holds back (an engine slow to take an import). Both are bound by the transfer idle
// timeout, not by the 2 s one the API's requests get here.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseBodyPath } from '../../lib/share/paths.ts';
import { startSlowS3Proxy } from '../support/slow-s3-proxy.ts';
import { useTestStack } from '../support/stack.ts';

const MIB = 1024 * 1024;
const SILENCE_MS = 4000;
const proxy = await startSlowS3Proxy(inject('s3Endpoint') || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL!, SILENCE_MS);
afterAll(() => proxy.close());
const stack = useTestStack({ AWS_ENDPOINT_URL_S3: proxy.url, STEVEDORE_BACKEND_IDLE_TIMEOUT_MS: '2000', STEVEDORE_UPLOAD_PART_MIB: '5' });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('an archive transfer against a store that is silent longer than the idle timeout of API requests', () => {
  const bytes = randomBytes(12 * MIB);
  const path = () => parseBodyPath('test/silent.tar', stack.cfg.shareFolders);

  it('completes an upload whose completion the store answers late, byte for byte', async () => {
    await stack.services.storage.writeAtomically(path(), Readable.from([bytes]), { contentType: 'application/x-tar' });
    const { body } = await stack.services.storage.openRead(path());
    expect(sha256(Buffer.concat(await body.toArray()))).toBe(sha256(bytes));
    expect(proxy.held()).toBe(1);
  });

  it('reads an archive to its end when its reader pauses longer than that', async () => {
    const { body } = await stack.services.storage.openRead(path());
    const chunks: Buffer[] = [];
    let paused = false;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      if (!paused) {
        paused = true;
        await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
      }
    }
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));
  });
});

describe('an archive upload', () => {
  // The signature covers the header instead of the bytes: hashing every byte with SHA-256 cost
  // the worker's event loop 15 ms per 5 MiB part, more than the part's gzip hand-off.
  it('sends its bytes unhashed (UNSIGNED-PAYLOAD), in parts and in one piece, as the SDK sends a streamed body', async () => {
    const before = proxy.putPayloadHashes().length;
    const multipart = parseBodyPath('test/unhashed-parts.tar', stack.cfg.shareFolders);
    const single = parseBodyPath('test/unhashed-single.tar', stack.cfg.shareFolders);
    await stack.services.storage.writeAtomically(multipart, Readable.from([randomBytes(11 * MIB)]), { contentType: 'application/x-tar' });
    await stack.services.storage.writeAtomically(single, Readable.from([randomBytes(1024)]), { contentType: 'application/x-tar' });
    expect(proxy.putPayloadHashes().slice(before)).toEqual(Array(4).fill('UNSIGNED-PAYLOAD'));
  });
});
