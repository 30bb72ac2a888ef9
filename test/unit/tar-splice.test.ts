// An archive packed from a runtime's tar (an engine's export) is spliced: headers rewritten as
// the chunks arrive, bodies passed on. It must be the very archive that reading the tar's
// entries and packing them gives, byte for byte, wherever the chunks split it, and fail the same
// way on a tar that is cut short or corrupt.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packArchive } from '../../lib/archive/pack.ts';
import { TAR_BLOCK_BYTES } from '../../lib/archive/format.ts';
import { encodeEntryHeader, paddingAfter } from '../../lib/archive/tar-header.ts';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import { chunked, collect, errorOf, FIXED_MTIME, headerOf, SAMPLE_CONFIG } from './archive-fixtures.ts';

const workDir = mkdtempSync(join(tmpdir(), 'stevedore-tar-splice-test-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const OPTIONS = { compress: false, gzipLevel: 6, mtime: FIXED_MTIME };
const LONG_NAME = `${'d'.repeat(120)}/${'f'.repeat(140)}`;

const spliced = (tar: Buffer, chunkBytes: number) => collect(packArchive(SAMPLE_CONFIG, { format: 'tar', tar: chunked(tar, chunkBytes) }, OPTIONS));
const fromEntries = (tar: Buffer) => collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: readTarEntries(chunked(tar)) }, OPTIONS));

/** A body padded to whole blocks. */
const padded = (body: Buffer) => Buffer.concat([body, Buffer.alloc(paddingAfter(body.length))]);

/** A header block of a type the writer does not write (pax, GNU long names), with its body. */
function metaEntry(typeflag: string, body: Buffer): Buffer {
  const block = encodeEntryHeader(headerOf({ name: '././@LongLink', size: body.length }));
  block[156] = typeflag.charCodeAt(0);
  block.fill(0x20, 148, 156);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return Buffer.concat([block, padded(body)]);
}

const paxRecord = (key: string, value: string) => {
  const text = ` ${key}=${value}\n`;
  let length = text.length + 1;
  while (String(length).length + text.length !== length) length = String(length).length + text.length;
  return `${length}${text}`;
};

const file = (name: string, body: string) => Buffer.concat([encodeEntryHeader(headerOf({ name, size: body.length })), padded(Buffer.from(body))]);
const END = Buffer.alloc(2 * TAR_BLOCK_BYTES);

/** What no GNU tar writes by default: a global pax header, GNU long names, a directory with a size, empty files. */
function unusualTar(): Buffer {
  return Buffer.concat([
    metaEntry('g', Buffer.from(paxRecord('comment', 'made by an engine'))),
    encodeEntryHeader(headerOf({ name: 'etc/', type: 'directory', mode: 0o755, size: 4096 })),
    metaEntry('L', Buffer.from(`${LONG_NAME}\0`)),
    file('cut', 'long name, GNU style'),
    metaEntry('K', Buffer.from(`/${'t'.repeat(150)}\0`)),
    encodeEntryHeader(headerOf({ name: 'etc/long-link', type: 'symlink' })),
    metaEntry('x', Buffer.from(paxRecord('path', `pax/${LONG_NAME}`) + paxRecord('uid', '3000000000') + paxRecord('SCHILY.xattr.user.note', 'kept'))),
    file('cut', 'long name, pax style'),
    encodeEntryHeader(headerOf({ name: 'etc/empty' })),
    encodeEntryHeader(headerOf({ name: 'etc/hardlink', type: 'link', linkname: 'etc/empty' })),
    file('etc/block-sized', 'x'.repeat(TAR_BLOCK_BYTES)),
    END,
    Buffer.alloc(10 * TAR_BLOCK_BYTES),
  ]);
}

describe('an archive spliced from a runtime tar', () => {
  const tars = new Map<string, Buffer>();
  beforeAll(() => {
    const tree = join(workDir, 'tree');
    mkdirSync(join(tree, 'etc', LONG_NAME), { recursive: true });
    writeFileSync(join(tree, 'etc', 'hostname'), 'tree\n');
    writeFileSync(join(tree, 'odd-size.bin'), Buffer.alloc(70_001, 7));
    writeFileSync(join(tree, 'etc', LONG_NAME, 'deep.txt'), 'deep\n');
    linkSync(join(tree, 'etc', 'hostname'), join(tree, 'hostname-link'));
    symlinkSync(`/${'t'.repeat(150)}`, join(tree, 'long-symlink'));
    for (const format of ['gnu', 'posix', 'ustar']) {
      // ustar cannot hold the long names: it gets the tree without them.
      const exclude = format === 'ustar' ? ['--exclude=./etc/d*', '--exclude=./long-symlink'] : [];
      tars.set(`GNU tar --format=${format}`, execFileSync('tar', [`--format=${format}`, ...exclude, '--sort=name', '-cf', '-', '-C', tree, '.']));
    }
    tars.set('a tar of unusual headers', unusualTar());
  });

  it.each(['GNU tar --format=gnu', 'GNU tar --format=posix', 'GNU tar --format=ustar', 'a tar of unusual headers'])(
    'is the archive its entries give, from %s in chunks of any size',
    async (name) => {
      // Prepare
      const tar = tars.get(name)!;
      const expected = await fromEntries(tar);

      // Act: chunks that split headers, meta bodies, bodies and padding anywhere
      const archives = await Promise.all([1, 100, 511, 512, 513, 10_000, tar.length].map((chunkBytes) => spliced(tar, chunkBytes)));

      // Assess
      for (const archive of archives) expect(archive.equals(expected)).toBe(true);
      expect(expected.includes(Buffer.from('rootfs/'))).toBe(true);
    },
  );

  it('fails as reading its entries fails when the tar is cut short or corrupt', async () => {
    // Prepare: cut inside the first header, a body, a meta body, between entries, and before the end
    const tar = unusualTar();
    const endAt = tar.length - 12 * TAR_BLOCK_BYTES;
    const corruptHeader = Buffer.from(tar);
    corruptHeader.fill(0xff, endAt - 2 * TAR_BLOCK_BYTES + 10, endAt - 2 * TAR_BLOCK_BYTES + 11);
    const dataAfterEnd = Buffer.from(tar);
    dataAfterEnd.fill(1, tar.length - 100, tar.length - 99);
    const broken = [
      ...[100, 3 * TAR_BLOCK_BYTES + 50, 4 * TAR_BLOCK_BYTES, 5 * TAR_BLOCK_BYTES + 10, endAt].map((length) => tar.subarray(0, length)),
      corruptHeader,
      dataAfterEnd,
      END,
      Buffer.from('not a tar at all'),
    ];

    for (const bytes of broken) {
      // Act
      const expected = await errorOf(() => fromEntries(bytes));
      const actual = await errorOf(() => spliced(bytes, 700));

      // Assess
      expect(expected).toBeDefined();
      expect(actual?.constructor).toBe(expected?.constructor);
      expect(actual?.message).toBe(expected?.message);
    }
  });

  it('lets the tar go when its reader stops after config.json', async () => {
    // Prepare
    let released = false;
    let chunksPulled = 0;
    const tar = tars.get('GNU tar --format=gnu')!;
    async function* watchedTar(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of chunked(tar, 1000)) {
          chunksPulled += 1;
          yield chunk;
        }
      } finally {
        released = true;
      }
    }
    const archive = packArchive(SAMPLE_CONFIG, { format: 'tar', tar: watchedTar() }, OPTIONS);

    // Act
    for await (const chunk of archive) {
      void chunk;
      break;
    }

    // Assess
    await expect.poll(() => released).toBe(true);
    expect(chunksPulled).toBeLessThanOrEqual(2);
  });
});
