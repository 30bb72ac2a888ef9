import { describe, expect, it } from 'vitest';
import { coalesceChunks } from '../../lib/coalesce-chunks.ts';

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

async function* chunksOf(sizes: number[]): AsyncGenerator<Buffer> {
  let next = 0;
  for (const size of sizes) yield Buffer.from(Array.from({ length: size }, () => next++ % 251));
}

describe('coalesceChunks', () => {
  it('gives the same bytes in chunks of at least the minimum, only the last one smaller', async () => {
    // Prepare: tar-like pieces, a header, a body slice, its padding, and one large body
    const sizes = [512, 100, 412, 512, 3000, 70_000, 512, 7];

    // Act
    const out = await collect(coalesceChunks(chunksOf(sizes), 4096));

    // Assess
    expect(Buffer.concat(out)).toEqual(Buffer.concat(await collect(chunksOf(sizes))));
    expect(out.slice(0, -1).every((chunk) => chunk.length >= 4096)).toBe(true);
    expect(out.map((chunk) => chunk.length)).toEqual([4536, 70_000, 519]);
  });

  it('pulls no further than the chunk it gives', async () => {
    // Prepare
    let pulled = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.alloc(1000);
      }
    }

    // Act
    const iterator = coalesceChunks(counted(), 4096);
    await iterator.next();

    // Assess
    expect(pulled).toBe(5);
  });
});
