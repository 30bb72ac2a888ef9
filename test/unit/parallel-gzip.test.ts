import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collect } from '../support/archives.ts';
import { gzipInParallel } from '../../lib/archive/parallel-gzip.ts';
import { compressibilityRuns } from '../../lib/archive/compressibility.ts';
import { storedGzipMember } from '../../lib/archive/stored-gzip.ts';

const BLOCK = 64 * 1024;

async function compress(input: Buffer, chunkBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkBytes) chunks.push(input.subarray(i, i + chunkBytes));
  return collect(gzipInParallel(chunks, { level: 6, blockBytes: BLOCK, concurrency: 3 }));
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

  it('carries its members in a fixed set of buffers whatever the length, each chunk right until the next is asked for', async () => {
    // Prepare: 48 blocks, stored (random) and deflated (text) in turn
    const text = (i: number) => Buffer.from(Array.from({ length: BLOCK / 16 }, (_, j) => `${(i * 7919 + j * 104729) % 99991} `.padEnd(16, '.')).join(''));
    const chunks = Array.from({ length: 48 }, (_, i) => (i % 2 ? randomBytes(BLOCK) : text(i)));
    const buffers = new Set<ArrayBufferLike>();
    const copies: Buffer[] = [];
    // Act
    for await (const piece of gzipInParallel(chunks, { level: 6, blockBytes: BLOCK, concurrency: 3 })) {
      if (piece.length > 64) buffers.add(piece.buffer); // leaving out the few bytes of gzip framing
      copies.push(Buffer.from(piece));
    }
    // Assess: views of the reused blocks and of each lane's output (before: a buffer per stored member)
    expect(gunzipSync(Buffer.concat(copies)).equals(Buffer.concat(chunks))).toBe(true);
    expect(buffers.size).toBeLessThanOrEqual(3 + 3 + 2);
  });

  it('keeps members in input order however the compressions finish', async () => {
    // Incompressible and highly compressible blocks take very different times.
    const input = Buffer.concat(Array.from({ length: 12 }, (_, i) => (i % 2 ? randomBytes(BLOCK) : Buffer.alloc(BLOCK, i))));
    expect(gunzipSync(await compress(input, 3000)).equals(input)).toBe(true);
  });
});

describe('incompressible stretches', () => {
  it('are written as stored gzip members that Node and GNU gzip read back byte for byte', () => {
    for (const bytes of [0, 1, 65_535, 65_536, 200_000]) {
      // Prepare
      const input = randomBytes(bytes);
      // Act
      const member = Buffer.concat(storedGzipMember(input));
      // Assess
      expect(gunzipSync(member).equals(input)).toBe(true);
      expect(execFileSync('gzip', ['-dc'], { input: member }).equals(input)).toBe(true);
    }
  });

  it('go into the archive stored, within a tenth of a percent of their size, while text around them is deflated', async () => {
    // Prepare
    const random = randomBytes(6 * BLOCK);
    const text = Buffer.from('rootfs/var/log/app.log: worker started the export\n'.repeat(4 * BLOCK / 50));
    const input = Buffer.concat([text, random, text]);
    // Act
    const compressed = await compress(input, 10_000);
    // Assess
    expect(gunzipSync(compressed).equals(input)).toBe(true);
    expect(execFileSync('gzip', ['-dc'], { input: compressed, maxBuffer: 64 * 1024 * 1024 }).equals(input)).toBe(true);
    // Stored verbatim, not deflated: of two windows 2,000 bytes apart, a stored block's 5-byte header can cut one at most.
    const verbatim = [0, 2000].map((at) => compressed.includes(random.subarray(2 * BLOCK + at, 2 * BLOCK + at + 1000)));
    expect(verbatim).toContain(true);
    expect(compressed.length).toBeLessThan(random.length * 1.001 + (2 * text.length) / 20);
    expect(compressed.length).toBeLessThan(deflatedSize(input) * 1.02);
  });

  it('leave the event loop a turn after every block, so that a server in the same process keeps answering', async () => {
    // Prepare: 16 MiB that only stored members carry, handed over in one chunk
    const input = randomBytes(16 * 1024 * 1024);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    // Act
    const compressed = await compress(input, input.length);
    clearInterval(counting);
    // Assess: a timer ran between its blocks, not only once the whole input was through (before: not once)
    expect(gunzipSync(compressed).equals(input)).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(8);
  });
});

describe('compression effort', () => {
  const logLines = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `2026-12-08T00:${String(i % 60).padStart(2, '0')}:00Z worker[${i % 97}] task ${i * 7919} progress ${i % 100}%\n`).join(''));
  const javascript = readFileSync(new URL('../../node_modules/typescript/lib/lib.dom.d.ts', import.meta.url));
  const executable = readFileSync(process.execPath).subarray(8 << 20, 12 << 20);

  it('is full for text, reduced for executables, and nothing (stored) for random bytes', () => {
    const efforts = (bytes: Buffer) => compressibilityRuns(bytes).map((run) => [run.effort, run.bytes.length]);
    expect(efforts(logLines.subarray(0, BLOCK))).toEqual([['full', BLOCK]]);
    expect(efforts(javascript.subarray(0, BLOCK))).toEqual([['full', BLOCK]]);
    expect(efforts(executable.subarray(0, BLOCK))).toEqual([['reduced', BLOCK]]);
    expect(efforts(Buffer.concat([randomBytes(2 * BLOCK), logLines.subarray(0, BLOCK)]))).toEqual([['store', 2 * BLOCK], ['full', BLOCK]]);
    // A shorter stretch at the end, whose smaller sample measures random bytes lower
    for (const bytes of [BLOCK / 2, BLOCK / 2 + 5000, BLOCK - 1]) expect(efforts(randomBytes(bytes))).toEqual([['store', bytes]]);
  });

  it('deflates near-random data that deflate still shrinks: random runs between repeated keys', async () => {
    // Prepare: about 7.94 bits per byte, which deflate shrinks by about 6 %
    const key = Buffer.from('"sourceMappingURL":');
    const input = Buffer.concat(Array.from({ length: 4096 }, () => Buffer.concat([randomBytes(256), key]))).subarray(0, 1 << 20);
    // Act
    const compressed = await collect(gzipInParallel([input], { level: 6 }));
    // Assess (before: stored, 0.03 % larger than the input)
    expect(gunzipSync(compressed).equals(input)).toBe(true);
    expect(compressed.length).toBeLessThan(input.length * 0.96);
  });

  it('deflates text at the configured level and executables one level lower', async () => {
    // Act: one member per block
    const gzipOf = (input: Buffer, level: number) => collect(gzipInParallel([input], { level, blockBytes: input.length }));
    const text = logLines.subarray(0, 1 << 20);
    const binary = executable.subarray(0, 1 << 20);
    // Assess: zlib's output is fixed by its level (and memory level), so the bytes say which level ran
    expect((await gzipOf(text, 6)).equals(gzipSync(text, { level: 6, memLevel: 9 }))).toBe(true);
    expect((await gzipOf(binary, 6)).equals(gzipSync(binary, { level: 5, memLevel: 9 }))).toBe(true);
    expect((await gzipOf(binary, 9)).equals(gzipSync(binary, { level: 8, memLevel: 9 }))).toBe(true);
    expect((await gzipOf(binary, 4)).equals(gzipSync(binary, { level: 4, memLevel: 9 }))).toBe(true);
  });

  it('keeps logs, JavaScript and executables within 1 % of gzip -6', async () => {
    for (const input of [logLines, javascript, executable]) {
      const compressed = await collect(gzipInParallel([input], { level: 6 }));
      expect(gunzipSync(compressed).equals(input)).toBe(true);
      expect(compressed.length).toBeLessThan(deflatedSize(input) * 1.01);
    }
  });
});

function deflatedSize(input: Buffer): number {
  return gzipSync(input, { level: 6 }).length;
}
