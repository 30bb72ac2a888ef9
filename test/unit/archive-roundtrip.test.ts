import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tarStream from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { CONFIG_ENTRY_NAME, ROOTFS_PREFIX } from '../../lib/archive/format.ts';
import { packArchive } from '../../lib/archive/pack.ts';
import { readArchive } from '../../lib/archive/unpack.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { FIXED_MTIME, SAMPLE_CONFIG, chunked, collect, describeEntries, headerOf } from './archive-fixtures.ts';

const workDir = mkdtempSync(join(tmpdir(), 'stevedore-archive-test-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function pack(rootfs: AsyncIterable<ArchiveEntry>, compress: boolean): Promise<Buffer> {
  return collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: rootfs }, { compress, gzipLevel: 6, mtime: FIXED_MTIME }));
}

/** Entries the demo image does not have: names that need pax or GNU long names, big ids. */
async function* unusualRootfs(): AsyncGenerator<ArchiveEntry> {
  const entry = (header: Partial<ArchiveEntry['header']>, content = Buffer.alloc(0)): ArchiveEntry => ({
    header: headerOf({ size: content.length, ...header }),
    body: (async function* () {
      if (content.length > 0) yield content;
    })(),
  });
  const longDirectory = `deep/${'d'.repeat(120)}/${'e'.repeat(120)}`;
  yield entry({ name: 'deep', type: 'directory', mode: 0o700 });
  yield entry({ name: longDirectory, type: 'directory', mode: 0o755 });
  yield entry({ name: `${longDirectory}/${'f'.repeat(90)}.txt`, uid: 123456, gid: 654321, uname: 'someone', gname: 'others' }, Buffer.from('long\n'));
  yield entry({ name: 'naïve-café-日本.txt', mode: 0o600 }, Buffer.from('unicode\n'));
  yield entry({ name: 'usr-bin-tool', mode: 0o4755 }, Buffer.from('setuid\n'));
  yield entry({ name: 'long-link', type: 'symlink', size: 0, mode: 0o777, linkname: `/${'t'.repeat(150)}` });
  yield entry({ name: 'long-hardlink', type: 'link', size: 0, linkname: `${longDirectory}/${'f'.repeat(90)}.txt` });
}

describe('pack then unpack', () => {
  it.each([false, true])('gives back every demo entry unchanged (compress: %s)', async (compress) => {
    // Prepare
    const expected = await describeEntries(demoRootfs());
    const archive = await pack(demoRootfs(), compress);

    // Act
    const unpacked = await readArchive(chunked(archive));
    const actual = await describeEntries(unpacked.entries);

    // Assess
    expect(unpacked.config).toEqual(SAMPLE_CONFIG);
    expect(actual).toEqual(expected);
    expect(unpacked.warnings).toEqual([]);
  });

  it.each([false, true])('keeps long, unicode and setuid names and big ids (compress: %s)', async (compress) => {
    // Prepare
    const expected = await describeEntries(unusualRootfs());
    const archive = await pack(unusualRootfs(), compress);

    // Act
    const unpacked = await readArchive(chunked(archive));
    const actual = await describeEntries(unpacked.entries);

    // Assess
    expect(actual).toEqual(expected);
    expect(unpacked.warnings).toEqual([]);
  });

  it('writes config.json first, then everything under rootfs/', async () => {
    // Prepare
    const archive = await pack(demoRootfs(), false);
    const names: string[] = [];
    let configText = '';

    // Act
    const extract = tarStream.extract();
    extract.end(archive);
    for await (const entry of extract) {
      names.push(entry.header.name);
      const body = await collect(entry as unknown as AsyncIterable<Buffer>);
      if (names.length === 1) configText = body.toString();
    }

    // Assess
    expect(names[0]).toBe(CONFIG_ENTRY_NAME);
    expect(JSON.parse(configText)).toEqual(SAMPLE_CONFIG);
    expect(names.slice(1).every((name) => name.startsWith(ROOTFS_PREFIX))).toBe(true);
    expect(names).toContain('rootfs/bin/');
    expect(names).toContain('rootfs/etc/hostname');
  });

  it('destroys the output with the error of a failing rootfs', async () => {
    // Prepare
    const failure = new Error('runtime read failed');
    async function* failingRootfs(): AsyncGenerator<ArchiveEntry> {
      let count = 0;
      for await (const entry of demoRootfs()) {
        if (++count === 50) throw failure;
        yield entry;
      }
    }

    // Act
    const packing = pack(failingRootfs(), true);

    // Assess
    await expect(packing).rejects.toBe(failure);
  });

  // gzip works in blocks of a few MiB (one member per block, compressed on every core), so
  // with compression the small demo root filesystem is read whole before the first byte out.
  for (const [compress, maxEntriesPulled] of [
    [false, 299],
    [true, Number.POSITIVE_INFINITY],
  ] as const) {
    it(`stops pulling from the rootfs when the output is destroyed (compress ${compress})`, async () => {
      // Prepare
      let released = false;
      let entriesPulled = 0;
      async function* watchedRootfs(): AsyncGenerator<ArchiveEntry> {
        try {
          for await (const entry of demoRootfs()) {
            entriesPulled += 1;
            yield entry;
          }
        } finally {
          released = true;
        }
      }
      const output = packArchive(SAMPLE_CONFIG, { format: 'entries', entries: watchedRootfs() }, { compress, gzipLevel: 1 });

      // Act
      for await (const chunk of output) {
        void chunk;
        break;
      }

      // Assess
      await expect.poll(() => released).toBe(true);
      expect(entriesPulled).toBeLessThanOrEqual(maxEntriesPulled);
    });
  }

  it('destroys the output when a body is longer than its header says', async () => {
    // Prepare
    async function* lyingRootfs(): AsyncGenerator<ArchiveEntry> {
      yield {
        header: { name: 'liar', type: 'file', mode: 0o644, size: 3, mtime: FIXED_MTIME, linkname: '', uid: 0, gid: 0, uname: '', gname: '', devmajor: 0, devminor: 0 },
        body: (async function* () {
          yield Buffer.from('more than three');
        })(),
      };
    }

    // Act
    const packing = pack(lyingRootfs(), false);

    // Assess
    await expect(packing).rejects.toThrow(/more bytes than/);
  });
});

describe('GNU tar', () => {
  it('lists and extracts a packed .tgz as it was packed', async () => {
    // Prepare
    const archivePath = join(workDir, 'demo.tgz');
    writeFileSync(archivePath, await pack(demoRootfs(), true));
    const extractDir = join(workDir, 'extracted');
    execFileSync('mkdir', ['-p', extractDir]);
    const expected = await describeEntries(demoRootfs());

    // Act
    const listing = execFileSync('tar', ['-tzvf', archivePath], { encoding: 'utf8' });
    execFileSync('tar', ['-xzpf', archivePath, '-C', extractDir]);

    // Assess
    expect(listing.split('\n')[0]).toMatch(/^-rw-r--r-- root\/root +\d+ 2024-01-01 00:00 config\.json$/);
    expect(listing).toContain('rootfs/bin/sh -> hello');
    expect(listing).toContain('rootfs/usr/bin/hello link to rootfs/bin/hello');
    const rootfs = join(extractDir, 'rootfs');
    expect(JSON.parse(readFileSync(join(extractDir, CONFIG_ENTRY_NAME), 'utf8'))).toEqual(SAMPLE_CONFIG);
    for (const entry of expected) {
      const path = join(rootfs, entry.name);
      const stat = lstatSync(path);
      expect({ name: entry.name, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid }).toEqual({
        name: entry.name,
        mode: entry.type === 'symlink' ? 0o777 : entry.mode,
        uid: entry.uid,
        gid: entry.gid,
      });
      // Directory times are not compared: GNU tar creates symlinks last, which touches their directory.
      if (entry.type === 'file') expect(stat.mtimeMs).toBe(entry.mtime);
      if (entry.type === 'file') expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(entry.sha256);
      if (entry.type === 'symlink') expect(readlinkSync(path)).toBe(entry.linkname);
      if (entry.type === 'link') expect(stat.ino).toBe(lstatSync(join(rootfs, entry.linkname)).ino);
      if (entry.type === 'directory') expect(stat.isDirectory()).toBe(true);
    }
    const extractedCount = readdirSync(rootfs, { recursive: true }).length;
    expect(extractedCount).toBe(expected.length);
  });
});
