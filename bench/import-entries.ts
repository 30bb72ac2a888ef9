// What the import keeps per archive entry: an archive of many small entries, shaped like the
// export of the benchmarks' generated container (bench/support/tree.ts: about 520,000 entries
// at 4 GiB, most of them usr/share/small/<n>/file-<i>), read through the import's checks
// (readArchive) entry by entry, as the LXC runtime takes them, and written again as one tar,
// with nothing but this in the process. What the import holds per entry (the entry policy's
// record of the paths) is the same whichever form a runtime takes. No Docker, no emulators:
// the V8 heap after a full collection, every 100,000 entries, is what the import holds on to. The young generation and malloc's settings are the worker's
// (--max-semi-space-size=2 and WORKER_ENVIRONMENT in infra/aws/task-worker.ts), so "heap total"
// and RSS compare with its own.
//   npm run bench:import-entries                      (500,000 entries)
//   npm run bench:import-entries -- 200000 --long-names --snapshot
// --long-names names the small files like a distribution's (segments of 13 characters and
// more); --snapshot writes a heap snapshot at the last entry, into the current directory.
// The archive is generated once per shape into the temporary directory and kept there.
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { coalesceChunks } from '../lib/coalesce-chunks.ts';
import type { ArchiveEntry, TarHeader } from '../lib/archive/entry.ts';
import { packArchive, packTar } from '../lib/archive/pack.ts';
import { readArchive } from '../lib/archive/unpack.ts';
import { printTable } from './support/table.ts';

const args = process.argv.slice(2);
const entryCount = Number(args.find((a) => /^\d+$/.test(a)) ?? 500_000);
const longNames = args.includes('--long-names');
const snapshot = args.includes('--snapshot');
const collect = !args.includes('--no-gc');
const CHECKPOINT = 100_000;
const MIB = 1024 * 1024;

const { gc } = globalThis as { gc?: () => void };
if (!gc) throw new Error('run with node --expose-gc (npm run bench:import-entries does)');

/** The generated container's entries, as a runtime hands its root filesystem to an export. */
function* rootfsEntries(count: number): Generator<ArchiveEntry> {
  const mtime = new Date(1_700_000_000_000);
  const entry = (name: string, type: TarHeader['type'], extra: { size?: number; mode?: number; linkname?: string; pax?: Record<string, string> } = {}): ArchiveEntry => {
    const size = type === 'file' ? (extra.size ?? 0) : 0;
    const header: TarHeader = { name, type, mode: type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, mtime, uname: 'root', gname: 'root', linkname: '', devmajor: 0, devminor: 0, ...extra, size };
    return { header, body: asyncOf(size > 0 ? [BODY.subarray(0, size)] : []) };
  };
  let made = 0;
  const dirs = ['', 'srv', 'srv/data', 'tmp', 'usr', 'usr/bin', 'usr/share', 'usr/share/small', 'var', 'var/log', 'var/log/app'];
  for (const dir of dirs) if (made++ < count) yield entry(dir, 'directory');
  for (let i = 0; i < 1024 && made < count; i++, made++) yield entry(`var/log/app/app-${i}.log`, 'file', { size: 1024 });
  for (let i = 0; i < 300 && made < count; i++, made++) yield entry(`usr/bin/tool-${i}`, 'file', { size: 1024, mode: 0o755 });
  if (made++ < count) yield entry('usr/bin/tool', 'symlink', { linkname: 'tool-0' });
  for (let i = 0; i < 256 && made < count; i++, made++) yield entry(`srv/data/blob-${i}.bin`, 'file', { size: 1024 });
  const small = longNames ? 'usr/lib/python3/dist-packages' : 'usr/share/small';
  if (longNames) for (const dir of ['usr/lib', 'usr/lib/python3', small]) if (made++ < count) yield entry(dir, 'directory');
  for (let i = 0; made < count; i++) {
    const dir = longNames ? `${small}/package_number_${Math.floor(i / 500)}` : `${small}/${Math.floor(i / 500)}`;
    if (i % 500 === 0) {
      made++;
      yield entry(dir, 'directory');
      continue;
    }
    const file = longNames ? `${dir}/module_implementation_${i}.py` : `${dir}/file-${i}`;
    made++;
    // One in a thousand a symlink to the file before it, one in a thousand a hardlink to it.
    if (i % 1000 === 7) yield entry(file, 'symlink', { linkname: `file-${i - 1}` });
    else if (i % 1000 === 9) yield entry(file, 'link', { linkname: longNames ? `${dir}/module_implementation_${i - 1}.py` : `${dir}/file-${i - 1}` });
    // One in a hundred with an extended attribute, which only a pax record carries.
    else yield entry(file, 'file', { size: 512 + (i % 600), ...(i % 100 === 3 ? { pax: { 'SCHILY.xattr.user.origin': `bench-${i}` } } : {}) });
  }
}

const BODY = Buffer.from('x'.repeat(2048));

async function* asyncOf<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function archiveFile(): Promise<string> {
  const path = join(tmpdir(), `stevedore-bench-import-entries-${entryCount}${longNames ? '-long' : ''}.tgz`);
  if (existsSync(path)) return path;
  console.log(`writing ${path} ...`);
  const config = { type: 'docker', name: 'bench', image: 'bench:latest', arch: 'amd64', autostart: false, network: {}, resource: {}, volume: {}, source: 'stevedore' } as const;
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  // A chunk of the gzip is valid until the next one is asked for: the write gets a copy.
  for await (const chunk of packArchive(config, { format: 'entries', entries: asyncOf(rootfsEntries(entryCount)) }, { compress: true, gzipLevel: 1, mtime: new Date(0) })) {
    if (!out.write(Buffer.from(chunk))) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  renameSync(partial, path);
  return path;
}

interface Checkpoint {
  entries: number;
  /** Highest heap total since the previous checkpoint, before its collection: what the process held. */
  peakHeapTotal: number;
  heapUsed: number;
  heapTotal: number;
  arrayBuffers: number;
  rss: number;
  seconds: number;
  /** CPU seconds of the process, every thread: wall seconds swing on a busy machine. */
  cpuSeconds: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

let peakHeapTotal = 0;
function samplePeak(): void {
  peakHeapTotal = Math.max(peakHeapTotal, getHeapStatistics().total_heap_size);
}

function measure(entries: number, started: number): Checkpoint {
  samplePeak();
  const peak = peakHeapTotal;
  if (collect) gc!();
  const { heapUsed, heapTotal, arrayBuffers, rss } = process.memoryUsage();
  peakHeapTotal = 0;
  return { entries, peakHeapTotal: peak, heapUsed, heapTotal, arrayBuffers, rss, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds() };
}

const file = await archiveFile();
const started = performance.now();
const checkpoints = [measure(0, started)];
const archive = await readArchive(createReadStream(file));

async function* counted(entries: AsyncIterable<ArchiveEntry>): AsyncGenerator<ArchiveEntry> {
  let count = 0;
  for await (const entry of entries) {
    yield entry;
    count += 1;
    if (count % 1000 === 0) samplePeak();
    if (count % CHECKPOINT === 0) checkpoints.push(measure(count, started));
  }
  if (snapshot) console.log(`heap snapshot: ${writeHeapSnapshot()}`);
  if (count % CHECKPOINT !== 0) checkpoints.push(measure(count, started));
}

// The admitted entries as one plain tar, in large chunks, as an engine reads it.
let tarBytes = 0;
for await (const chunk of coalesceChunks(packTar(counted(archive.entries)), 256 * 1024)) tarBytes += chunk.length;

const base = checkpoints[0]!;
const rows = checkpoints.map((point, index) => {
  const previous = checkpoints[index - 1];
  const perHundredK = previous && point.entries > previous.entries ? ((point.heapUsed - previous.heapUsed) / MIB / (point.entries - previous.entries)) * CHECKPOINT : undefined;
  return [
    point.entries.toLocaleString('en'),
    (point.heapUsed / MIB).toFixed(1),
    ((point.heapUsed - base.heapUsed) / MIB).toFixed(1),
    perHundredK === undefined ? '-' : perHundredK.toFixed(1),
    (point.heapTotal / MIB).toFixed(1),
    index === 0 ? '-' : (point.peakHeapTotal / MIB).toFixed(1),
    (point.arrayBuffers / MIB).toFixed(1),
    (point.rss / MIB).toFixed(0),
    point.seconds.toFixed(1),
    (point.cpuSeconds - base.cpuSeconds).toFixed(1),
  ];
});
console.log(`\nImport of ${entryCount.toLocaleString('en')} entries${longNames ? ' with long names' : ''} (${process.version}): ${(tarBytes / MIB).toFixed(0)} MiB of tar for the engine, ${archive.warnings.length} warnings`);
console.log(`MiB, ${collect ? 'after a full collection ' : ''}at each count of entries read; the peak heap total is the highest before it, sampled every 1,000 entries\n`);
printTable(['entries', 'heap used', 'grown', 'per 100k entries', 'heap total', 'peak heap total', 'array buffers', 'RSS', 'seconds', 'CPU s'], rows);
