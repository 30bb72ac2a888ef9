// A generated container root filesystem on disk for the benchmarks: text, real binaries,
// incompressible random data and many small files, deterministic for a given size.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const MIB = 1024 * 1024;

/** Deterministic pseudo-random bytes (SHA-256 in counter mode: fast enough, no dependency). */
function pseudoRandom(seed: string, bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let counter = 0; offset < bytes; counter++) {
    const block = createHash('sha256').update(`${seed}:${counter}`).digest();
    offset += block.copy(out, offset);
  }
  return out;
}

const WORDS = 'container export import share folder archive layer stream worker task progress lease volume network resource image tag root filesystem kernel process'.split(' ');

function text(seed: number, bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  let state = seed;
  while (size < bytes) {
    state = (state * 1103515245 + 12345) >>> 0;
    const line = `${new Date(1_700_000_000_000 + state).toISOString()} host[${state % 997}]: ${Array.from({ length: 8 + (state % 9) }, (_, i) => WORDS[(state >>> i) % WORDS.length]).join(' ')}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/** Writes about `totalMiB` MiB under `root`; answers the exact byte count of file contents. */
export function generateTree(root: string, totalMiB: number): number {
  const quarter = Math.floor((totalMiB * MIB) / 4);
  let written = 0;
  const put = (path: string, data: Buffer, mode = 0o644) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), data);
    chmodSync(join(root, path), mode);
    written += data.length;
  };

  // Text: logs and configuration, highly compressible.
  for (let i = 0, size = 0; size < quarter; i++) {
    const data = text(i, 1 * MIB);
    put(`var/log/app/app-${i}.log`, data);
    size += data.length;
  }
  // Binaries: the machine's own executables, compressible the way real binaries are.
  const binaries = readdirSync('/usr/bin').map((name) => join('/usr/bin', name)).filter((p) => {
    try {
      const s = statSync(p);
      return s.isFile() && s.size > 64 * 1024;
    } catch {
      return false;
    }
  }).sort();
  for (let i = 0, size = 0; size < quarter && binaries.length > 0; i++) {
    const whole = readFileSync(binaries[i % binaries.length]!);
    const data = whole.subarray(0, Math.min(whole.length, quarter - size, 4 * MIB));
    put(`usr/bin/tool-${i}`, data, 0o755);
    size += data.length;
  }
  // Random data: incompressible.
  for (let i = 0, size = 0; size < quarter; i++) {
    const data = pseudoRandom(`blob-${i}`, 4 * MIB);
    put(`srv/data/blob-${i}.bin`, data);
    size += data.length;
  }
  // Many small files.
  for (let i = 0, size = 0; size < quarter; i++) {
    const data = i % 2 === 0 ? text(i, 512 + (i % 3584)) : pseudoRandom(`small-${i}`, 512 + (i % 3584));
    put(`usr/share/small/${Math.floor(i / 500)}/file-${i}`, data);
    size += data.length;
  }
  mkdirSync(join(root, 'tmp'), { recursive: true });
  symlinkSync('tool-0', join(root, 'usr/bin/tool'));
  return written;
}
