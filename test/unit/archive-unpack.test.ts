import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from '../../lib/archive/errors.ts';
import { bodyOf } from '../../lib/archive/entry.ts';
import { EntryPolicy } from '../../lib/archive/entry-policy.ts';
import { packArchive } from '../../lib/archive/pack.ts';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';
import { type UnpackedArchive, readArchive } from '../../lib/archive/unpack.ts';
import { MAX_WARNINGS, WarningLog } from '../../lib/archive/warnings.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { type EntrySpec, buildTar, directory, file, hardlink, symlink } from '../support/archives.ts';
import { FIXED_MTIME, SAMPLE_CONFIG, chunked, collect, describeEntries, errorOf } from './archive-fixtures.ts';

const configEntry = () => file('config.json', JSON.stringify(SAMPLE_CONFIG));

/** The entries' names and link targets, with the warnings, once every entry was read. */
async function readAll(archive: UnpackedArchive) {
  const entries = await describeEntries(archive.entries);
  return { names: entries.map((entry) => entry.name), entries, warnings: archive.warnings };
}

async function unpackOurs(entries: EntrySpec[]) {
  return readAll(await readArchive(chunked(await buildTar([configEntry(), ...entries]))));
}

async function unpackPlain(entries: EntrySpec[]) {
  return readAll(await readArchive(chunked(await buildTar(entries))));
}

/** The error that reading the archive, entries included, fails with. */
async function failureOf(bytes: AsyncIterable<Buffer>): Promise<Error> {
  try {
    const archive = await readArchive(bytes);
    await describeEntries(archive.entries);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the archive to be refused');
}

async function packDemo(compress: boolean): Promise<Buffer> {
  return collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: demoRootfs() }, { compress, gzipLevel: 6, mtime: FIXED_MTIME }));
}

describe('readArchive of a plain rootfs tarball', () => {
  it('has no config and gives the entries with normalized names', async () => {
    // Prepare
    const entries = [directory('./'), directory('./etc/'), file('./etc/hostname', 'box\n'), directory('bin'), symlink('./bin/sh', 'busybox')];

    // Act
    const { names, entries: read, warnings } = await unpackPlain(entries);
    const archive = await readArchive(chunked(await buildTar(entries)));

    // Assess
    expect(archive.config).toBeUndefined();
    expect(names).toEqual(['etc', 'etc/hostname', 'bin', 'bin/sh']);
    expect(read.find((entry) => entry.name === 'bin/sh')?.linkname).toBe('busybox');
    expect(warnings).toEqual([]);
  });

  it('reads a gzipped one, recognised by its bytes', async () => {
    // Prepare
    const tgz = await buildTar([file('etc/hostname', 'box\n')], { gzip: true });

    // Act
    const archive = await readArchive(Readable.from(chunked(tgz, 7)));
    const { entries } = await readAll(archive);

    // Assess
    expect(archive.config).toBeUndefined();
    expect(entries.map(({ name, size }) => ({ name, size }))).toEqual([{ name: 'etc/hostname', size: 4 }]);
  });

  it.each([
    ['random bytes', () => Buffer.concat([Buffer.from('xx'), randomBytes(50_000)])],
    ['a text file', () => Buffer.from('hello\n'.repeat(1000))],
    ['an empty file', () => Buffer.alloc(0)],
  ])('refuses %s as "File not supported"', async (_kind, build) => {
    // Prepare
    const bytes = build();

    // Act
    const reading = readArchive(chunked(bytes));

    // Assess
    await expect(reading).rejects.toThrow(new ArchiveError(FILE_NOT_SUPPORTED));
  });
});

describe('readArchive of hostile entries', () => {
  it('strips leading slashes from absolute names, with one warning', async () => {
    // Prepare
    const entries = [file('/etc/passwd', 'root:x:0:0::/:/bin/sh\n'), file('//etc/group', 'root:x:0:\n')];

    // Act
    const { names, warnings } = await unpackPlain(entries);

    // Assess
    expect(names).toEqual(['etc/passwd', 'etc/group']);
    expect(warnings).toEqual(['removed leading "/" from entry names']);
  });

  it('skips names that climb out of the root and keeps the rest', async () => {
    // Prepare
    const entries = [
      file('../../etc/passwd', 'evil'),
      file('a/../../x', 'evil'),
      file('rootfs/../../escape', 'evil'),
      file('rootfs/a/../b', 'not escaping, still refused'),
      file('rootfs/fine', 'ok'),
    ];

    // Act
    const { names, warnings } = await unpackOurs(entries);

    // Assess
    expect(names).toEqual(['fine']);
    expect(warnings).toEqual([
      'skipped "../../etc/passwd": path escapes the root',
      'skipped "a/../../x": path escapes the root',
      'skipped "rootfs/../../escape": path escapes the root',
      'skipped "rootfs/a/../b": path contains ".."',
    ]);
  });

  it('skips entries outside rootfs/ in one of our archives', async () => {
    // Prepare
    const entries = [file('rootfs/etc/hostname', 'box\n'), file('etc/passwd', 'evil'), file('config.json', '{}')];

    // Act
    const { names, warnings } = await unpackOurs(entries);

    // Assess
    expect(names).toEqual(['etc/hostname']);
    expect(warnings).toEqual(['skipped "etc/passwd": outside rootfs/', 'skipped "config.json": outside rootfs/']);
  });

  it('keeps symlinks, absolute targets included, and skips what is written through them', async () => {
    // Prepare
    const entries = [
      symlink('bin/sh', '/bin/busybox'),
      symlink('link', '/etc'),
      file('link/passwd', 'evil'),
      symlink('up', '../../..'),
      directory('up/x'),
      file('up/x/y', 'evil'),
      file('link', 'overwrites what the link points at'),
      symlink('link/nested', '/'),
      directory('dir'),
      symlink('dir/inner', '..'),
      hardlink('dir/inner/h', 'bin/sh'),
    ];

    // Act
    const { entries: read, warnings } = await unpackPlain(entries);

    // Assess
    expect(read.map(({ name, type, linkname }) => ({ name, type, linkname }))).toEqual([
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'link', type: 'symlink', linkname: '/etc' },
      { name: 'up', type: 'symlink', linkname: '../../..' },
      { name: 'dir', type: 'directory', linkname: '' },
      { name: 'dir/inner', type: 'symlink', linkname: '..' },
    ]);
    expect(warnings).toEqual([
      'skipped "link/passwd": path goes through symlink "link"',
      'skipped "up/x": path goes through symlink "up"',
      'skipped "up/x/y": path goes through symlink "up"',
      'skipped "link": path goes through symlink "link"',
      'skipped "link/nested": path goes through symlink "link"',
      'skipped "dir/inner/h": path goes through symlink "dir/inner"',
    ]);
  });

  it('keeps hardlinks to earlier files only', async () => {
    // Prepare
    const entries = [
      file('rootfs/bin/busybox', 'binary'),
      hardlink('rootfs/bin/ls', 'rootfs/bin/busybox'),
      hardlink('rootfs/bin/cat', 'rootfs/bin/ls'),
      hardlink('rootfs/bin/later', 'rootfs/bin/notyet'),
      file('rootfs/bin/notyet', 'x'),
      hardlink('rootfs/bin/missing', 'rootfs/nope'),
      hardlink('rootfs/bin/host', '/etc/shadow'),
      hardlink('rootfs/bin/escape', 'rootfs/../../etc/shadow'),
      hardlink('rootfs/bin/outside', 'config.json'),
      directory('rootfs/etc'),
      hardlink('rootfs/bin/dir', 'rootfs/etc'),
      symlink('rootfs/bin/sym', 'busybox'),
      hardlink('rootfs/bin/tosym', 'rootfs/bin/sym'),
    ];

    // Act
    const { entries: read, warnings } = await unpackOurs(entries);

    // Assess
    expect(read.filter(({ type }) => type === 'link').map(({ name, linkname }) => `${name} -> ${linkname}`)).toEqual([
      'bin/ls -> bin/busybox',
      'bin/cat -> bin/ls',
    ]);
    expect(warnings).toEqual([
      'skipped "rootfs/bin/later": hardlink target "rootfs/bin/notyet" is not an earlier file of the archive',
      'skipped "rootfs/bin/missing": hardlink target "rootfs/nope" is not an earlier file of the archive',
      'removed leading "/" from entry names',
      'skipped "rootfs/bin/host": hardlink target "/etc/shadow" is not an earlier file of the archive',
      'skipped "rootfs/bin/escape": hardlink target "rootfs/../../etc/shadow" is not an earlier file of the archive',
      'skipped "rootfs/bin/outside": hardlink target "config.json" is not an earlier file of the archive',
      'skipped "rootfs/bin/dir": hardlink target "rootfs/etc" is not an earlier file of the archive',
      'skipped "rootfs/bin/tosym": hardlink target "rootfs/bin/sym" is not an earlier file of the archive',
    ]);
  });

  it('skips devices and fifos', async () => {
    // Prepare
    const entries = [
      { name: 'dev/null', type: 'character-device' as const, devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device' as const, devmajor: 8, devminor: 0 },
      { name: 'run/pipe', type: 'fifo' as const },
      file('etc/hostname', 'box\n'),
    ];

    // Act
    const { names, warnings } = await unpackPlain(entries);

    // Assess
    expect(names).toEqual(['etc/hostname']);
    expect(warnings).toEqual([
      'skipped "dev/null": character devices are not imported',
      'skipped "dev/sda": block devices are not imported',
      'skipped "run/pipe": fifos are not imported',
    ]);
  });

  it('skips entries of a type it does not know (a GNU sparse file), with a warning', async () => {
    // Prepare: the second entry's type flag becomes GNU's 'S', its checksum made to match
    const archive = await buildTar([file('etc/a', 'a'), file('sparse', 'data'), file('etc/b', 'b')]);
    const header = archive.subarray(2 * 512, 3 * 512);
    header[156] = 'S'.charCodeAt(0);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');

    // Act
    const { names, warnings } = await readAll(await readArchive(chunked(archive)));

    // Assess
    expect(names).toEqual(['etc/a', 'etc/b']);
    expect(warnings).toEqual(['skipped "sparse": unsupported entry type']);
  });

  it('caps the warnings with a count of the rest', async () => {
    // Prepare
    const entries = Array.from({ length: MAX_WARNINGS + 50 }, (_, index) => ({ name: `dev/tty${index}`, type: 'character-device' as const }));

    // Act
    const { warnings } = await unpackPlain(entries);

    // Assess
    expect(warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(warnings.at(-1)).toBe('... and 50 more');
  });

  it('takes entries whose bodies the consumer does not read', async () => {
    // Prepare
    const archive = await readArchive(chunked(await packDemo(true)));
    let count = 0;

    // Act
    for await (const entry of archive.entries) {
      void entry;
      count += 1;
    }

    // Assess
    expect(count).toBe((await describeEntries(demoRootfs())).length);
  });

  for (const form of ['tar', 'entries'] as const) {
    it(`releases the source when the consumer stops reading the ${form} early`, async () => {
      // Prepare
      const bytes = await packDemo(false);
      let released = false;
      async function* source(): AsyncGenerator<Buffer> {
        try {
          yield* chunked(bytes, 4096);
        } finally {
          released = true;
        }
      }
      const archive = await readArchive(source());

      // Act
      for await (const item of archive[form]) {
        void item;
        break;
      }

      // Assess
      await expect.poll(() => released).toBe(true);
    });
  }
});

describe('readArchive tar', () => {
  const longName = `usr/share/${'deep/'.repeat(30)}file.txt`;
  const hostile: [string, EntrySpec[]][] = [
    [
      'a plain rootfs with entries the policy rewrites or leaves out',
      [
        file('./etc/hostname', 'box\n'),
        directory('/usr'),
        file('/usr/abs.txt', 'absolute'),
        file('../escape.txt', 'out'),
        file('usr/../../escape2.txt', 'out'),
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
        symlink('lib', '/usr/lib'),
        file('lib/through.so', 'through a symlink'),
        hardlink('etc/hostname-link', 'etc/hostname'),
        hardlink('etc/dangling', 'etc/missing'),
        file(longName, 'a long name'),
        file('srv/empty', ''),
        file('srv/odd', 'x'.repeat(513)),
      ],
    ],
    ['one of ours, whose root filesystem is under rootfs/', [configEntry(), directory('rootfs'), directory('rootfs/etc'), file('rootfs/etc/os-release', 'ID=stevedore\n'), file('outside.txt', 'not in rootfs/'), symlink('rootfs/bin', 'usr/bin')]],
  ];

  /** What a runtime got before the splice: every entry read, judged and written again one by one. */
  async function entryByEntry(bytes: Buffer): Promise<Buffer> {
    const warnings = new WarningLog();
    async function* admitted() {
      let policy: EntryPolicy | undefined;
      for await (const entry of readTarEntries(chunked(bytes))) {
        if (!policy) {
          policy = new EntryPolicy(entry.header.name === 'config.json' ? 'stevedore' : 'plain', warnings);
          if (entry.header.name === 'config.json') continue;
        }
        const header = policy.admit(entry.header);
        if (header) yield { header, body: header.type === 'file' ? entry.body : bodyOf() };
      }
    }
    return collect(tarBytes(admitted()));
  }

  for (const [what, entries] of hostile) {
    it(`is, for ${what}, the tar of the admitted entries written one by one, whatever the chunks`, async () => {
      // Prepare
      const bytes = await buildTar(entries);
      const expected = await entryByEntry(bytes);
      for (const chunkBytes of [1, 511, 512, 513, 10_000, bytes.length]) {
        // Act
        const archive = await readArchive(chunked(bytes, chunkBytes));
        const tar = await collect(archive.tar);

        // Assess
        expect(tar.equals(expected), `chunks of ${chunkBytes} bytes`).toBe(true);
        expect(archive.warnings.length).toBeGreaterThan(0);
      }
    });
  }
});

describe('readArchive limits', () => {
  const manyFiles = () => Array.from({ length: 20 }, (_, index) => file(`f${index}`, 'x'));

  it.each([
    ['entries', { maxEntries: 10 }, manyFiles(), /^Archive has more than 10 entries/],
    ['entry size', { maxEntryBytes: 1024 }, [file('big', Buffer.alloc(4096))], /^Entry "big" is 4K, more than the 1K allowed$/],
    ['name length', { maxNameBytes: 50 }, [file(`a/${'b'.repeat(60)}`, 'x')], /^Archive has an entry name longer than 50 bytes/],
    ['link target length', { maxNameBytes: 50 }, [symlink('s', 'c'.repeat(60))], /^Archive has an entry name longer than 50 bytes/],
    ['total size', { maxTotalBytes: 8192 }, [file('a', Buffer.alloc(4096)), file('b', Buffer.alloc(4096))], /^Archive expands to more than 8K/],
  ])('aborts when the archive exceeds the %s limit', async (_limit, limits, entries, message) => {
    // Prepare
    const bytes = await buildTar(entries);

    // Act
    const failure = await errorOf(async () => {
      await describeEntries((await readArchive(chunked(bytes), limits)).entries);
    });

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure?.message).toMatch(message);
  });

  it('aborts a gzip bomb long before expanding it', async () => {
    // Prepare: a tar of one 1 GiB file of zeros, gzipped as it is read, never held in memory.
    const oneGiB = 1024 ** 3;
    let compressedBytesRead = 0;
    async function* bomb(): AsyncGenerator<Buffer> {
      const tar = tarStream.pack();
      const gzip = createGzip({ level: 9 });
      const zeros = Buffer.alloc(1024 * 1024);
      const sink = tar.entry({ name: 'zeros', size: oneGiB, mtime: FIXED_MTIME });
      sink.on('error', () => undefined);
      void (async () => {
        for (let written = 0; written < oneGiB; written += zeros.length) {
          if (!sink.write(zeros)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
          if (sink.destroying) return;
        }
        sink.end(undefined);
        tar.finalize();
      })();
      const compressed = Readable.from(tar, { objectMode: false }).pipe(gzip);
      try {
        for await (const chunk of compressed) {
          compressedBytesRead += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } finally {
        tar.destroy();
        compressed.destroy();
      }
    }
    const started = Date.now();

    // Act
    const failure = await failureOf(bomb());

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure.message).toMatch(/^Archive expands more than 200 times its compressed size .*gzip bomb/);
    expect(compressedBytesRead).toBeLessThan(2 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('readArchive of a damaged archive', () => {
  it.each([false, true])('throws while iterating an archive cut in the middle of an entry (compress: %s)', async (compress) => {
    // Prepare
    const archive = await packDemo(compress);
    const cut = archive.subarray(0, Math.floor(archive.length / 2));

    // Act
    const failure = await failureOf(chunked(cut));

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure.message).toMatch(/^Archive is truncated/);
  });

  it('throws on an archive cut cleanly between two entries', async () => {
    // Prepare
    const archive = await buildTar([configEntry(), file('rootfs/a', 'a'.repeat(1000)), file('rootfs/b', 'b')]);
    const betweenEntries = 512 + 512 + 512 + 1024; // config header + body, a's header + body
    const cut = archive.subarray(0, betweenEntries);
    const archiveRead = await readArchive(chunked(cut));

    // Act
    const names: string[] = [];
    const failure = await errorOf(async () => {
      for await (const entry of archiveRead.entries) names.push(entry.header.name);
    });

    // Assess
    expect(names).toEqual(['a']);
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure?.message).toBe('Archive is truncated (last entry read: "rootfs/a")');
  });

  it('refuses an entry hidden after the end-of-archive block, which tar -t would not list', async () => {
    // Prepare: a's header and body, a zero block, then b's header, body and the end blocks
    const first = await buildTar([file('etc/a', 'a')]);
    const second = await buildTar([file('etc/b', 'b')]);
    const archive = Buffer.concat([first.subarray(0, 2 * 512), Buffer.alloc(512), second]);

    // Act
    const failure = await failureOf(chunked(archive));

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure.message).toBe('Corrupt archive after entry "etc/a": data after the end-of-archive block');
  });

  it('throws while iterating a gzip stream with corrupted bytes in the middle', async () => {
    // Prepare
    const archive = await packDemo(true);
    const middle = Math.floor(archive.length / 2);
    for (let offset = middle; offset < middle + 64; offset += 1) archive[offset] = archive[offset]! ^ 0x5a;
    const read = await readArchive(chunked(archive));

    // Act
    const failure = await errorOf(async () => {
      await describeEntries(read.entries);
    });

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure?.message).toMatch(/^(Corrupt gzip stream: |Corrupt archive after entry )/);
  });

  it('throws while iterating a tar whose header in the middle is damaged', async () => {
    // Prepare
    const archive = await buildTar([configEntry(), file('rootfs/a', 'a'), file('rootfs/b', 'b')]);
    archive[512 * 4 + 10] = 0x41; // inside b's header: its checksum no longer matches
    const read = await readArchive(chunked(archive));

    // Act
    const failure = await errorOf(async () => {
      await describeEntries(read.entries);
    });

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure?.message).toMatch(/^Corrupt archive after entry "rootfs\/a": Invalid tar header/);
  });

  it('refuses a header whose number fields are not numbers, as corrupt', async () => {
    // Prepare: b's uid field becomes "9999999", not an octal number, its checksum made to match
    const archive = await buildTar([file('etc/a', 'a'), file('etc/b', 'b')]);
    const header = archive.subarray(2 * 512, 3 * 512);
    header.write('9999999\0', 108, 'latin1');
    header.fill(0x20, 148, 156);
    header.write(`${header.reduce((total, byte) => total + byte, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');

    // Act
    const failure = await failureOf(chunked(archive));

    // Assess
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure.message).toBe('Corrupt archive after entry "etc/a": Invalid tar header: its uid is not a number from 0');
  });

  it('either reads a damaged tar or refuses it with an ArchiveError, whatever bytes are damaged', async () => {
    // Prepare: 150 copies of the demo archive, a few bytes of each changed
    // at random (seeded), header checksums made to match so that the fields' contents get read
    const original = await collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: demoRootfs() }, { compress: false, gzipLevel: 6, mtime: FIXED_MTIME }));
    let seed = 20261207;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const outcomes = { read: 0, refused: 0, other: [] as string[] };

    // Act
    for (let round = 0; round < 150; round += 1) {
      const damaged = Buffer.from(original);
      for (let change = 0; change < 1 + random() * 6; change += 1) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      for (let offset = 0; offset + 512 <= damaged.length; offset += 512) {
        const block = damaged.subarray(offset, offset + 512);
        if (block.toString('latin1', 257, 262) !== 'ustar' || random() < 0.2) continue;
        block.fill(0x20, 148, 156);
        block.write(`${block.reduce((total, byte) => total + byte, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }
      const failure = await errorOf(async () => {
        await describeEntries((await readArchive(chunked(damaged, 1 + Math.floor(random() * 5000)))).entries);
      });
      if (failure === undefined) outcomes.read += 1;
      else if (failure instanceof ArchiveError) outcomes.refused += 1;
      else outcomes.other.push(`${failure.constructor.name}: ${failure.message}`);
    }

    // Assess
    expect(outcomes.other).toEqual([]);
    expect(outcomes.read).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('passes errors of the source through unchanged', async () => {
    // Prepare
    const bytes = await packDemo(true);
    const storageFailure = new Error('connection reset');
    async function* failingSource(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 200_000);
      throw storageFailure;
    }

    // Act
    const failure = await failureOf(failingSource());

    // Assess
    expect(failure).toBe(storageFailure);
  });

  it('refuses an invalid config.json of one of our archives', async () => {
    // Prepare
    const bytes = await buildTar([file('config.json', 'not json'), file('rootfs/a', 'a')]);

    // Act
    const reading = readArchive(chunked(bytes));

    // Assess
    await expect(reading).rejects.toThrow(/^Invalid config\.json: /);
  });
});

describe('readArchive entries', () => {
  it('are the demo rootfs entries of a packed archive, bodies included', async () => {
    // Prepare
    const expected: ArchiveEntry[] = [];
    for await (const entry of demoRootfs()) expected.push(entry);

    // Act
    const { names } = await readAll(await readArchive(chunked(await packDemo(false))));

    // Assess
    expect(names).toEqual(expected.map((entry) => entry.header.name));
  });
});

describe('readArchive cost', () => {
  it('stays linear in the depth of hostile deeply nested names', async () => {
    // Prepare: 1500 entries 1000 directories deep, each name near the 4 KiB limit, and a symlink to check them against.
    const deep = 'd/'.repeat(1000);
    const entries = [symlink('d/d/link', '/'), ...Array.from({ length: 1500 }, (_, index) => file(`${deep}f${index}`, ''))];
    const bytes = await buildTar(entries, { gzip: true });
    const started = Date.now();

    // Act
    const { names } = await readAll(await readArchive(chunked(bytes)));

    // Assess
    expect(names).toHaveLength(1501);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
