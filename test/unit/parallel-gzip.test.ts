import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createParallelGzip } from '../../lib/archive/parallel-gzip.ts';

const BLOCK = 64 * 1024;

async function compress(input: Buffer, chunkBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkBytes) chunks.push(input.subarray(i, i + chunkBytes));
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks).pipe(createParallelGzip({ level: 6, blockBytes: BLOCK, concurrency: 3 }))) out.push(piece as Buffer);
  return Buffer.concat(out);
}

describe('parallel gzip', () => {
  const inputs: [string, Buffer][] = [
    ['nothing', Buffer.alloc(0)],
    ['less than a block', Buffer.from('config.json and a little more\n'.repeat(100))],
    ['exactly two blocks', randomBytes(2 * BLOCK)],
    ['many blocks of mixed data', Buffer.concat([randomBytes(5 * BLOCK + 17), Buffer.from('x'.repeat(7 * BLOCK))])],
  ];
  for (const [what, input] of inputs) {
    it(`writes ${what} as gzip members that Node and GNU gzip read back byte for byte`, async () => {
      // Act
      const compressed = await compress(input, 10_000);
      // Assess
      expect(compressed[0]).toBe(0x1f);
      expect(compressed[1]).toBe(0x8b);
      expect(gunzipSync(compressed).equals(input)).toBe(true);
      expect(execFileSync('gzip', ['-dc'], { input: compressed, maxBuffer: 64 * 1024 * 1024 }).equals(input)).toBe(true);
    });
  }

  it('keeps members in input order however the compressions finish', async () => {
    // Incompressible and highly compressible blocks take very different times.
    const input = Buffer.concat(Array.from({ length: 12 }, (_, i) => (i % 2 ? randomBytes(BLOCK) : Buffer.alloc(BLOCK, i))));
    expect(gunzipSync(await compress(input, 3000)).equals(input)).toBe(true);
  });
});
