import { describe, expect, it } from 'vitest';
import { partSizeFor } from '../../lib/aws/part-size.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('multipart part size', () => {
  it('uses the configured minimum for ordinary containers', () => {
    expect(partSizeFor(256 * MIB, 8 * MIB)).toBe(8 * MIB);
  });

  for (const size of [100 * GIB, 1024 * GIB, 4800 * GIB]) {
    it(`keeps a ${size / GIB} GiB archive (even 20 % larger than its source) under 10,000 parts`, () => {
      const part = partSizeFor(size, 8 * MIB);
      expect(Math.ceil((size * 1.2) / part)).toBeLessThanOrEqual(10_000);
      expect(part % MIB).toBe(0);
    });
  }

  it('never asks for a part over the 5 GiB S3 limit', () => {
    expect(partSizeFor(100_000 * GIB, 8 * MIB)).toBe(5 * GIB);
  });
});
