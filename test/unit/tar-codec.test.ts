// stevedore's own tar reading (a runtime's tar, bodies passed on as views) and writing (headers
// encoded, bodies passed through), held against GNU tar and tar-stream as independent readers.
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveEntry, TarHeader } from '../../lib/archive/entry.ts';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import { decodeHeaderBlock, encodeEntryHeader } from '../../lib/archive/tar-header.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';
import { chunked, collect, describeEntries, headerOf } from './archive-fixtures.ts';

const workDir = mkdtempSync(join(tmpdir(), 'stevedore-tar-codec-test-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const LONG_DIRECTORY = `deep/${'d'.repeat(120)}/${'e'.repeat(140)}`;
const LONG_FILE = `${LONG_DIRECTORY}/${'f'.repeat(200)}.txt`;

/** A tree with what tar formats differ on: long and unicode names, long link targets, odd modes. */
function makeTree(root: string, { longNames }: { longNames: boolean }): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'etc', 'hostname'), 'tree\n');
  writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000::::::\n');
  chmodSync(join(root, 'etc', 'shadow'), 0o000);
  writeFileSync(join(root, 'odd-size.bin'), Buffer.alloc(70_001, 7));
  writeFileSync(join(root, 'setuid-tool'), '#!/bin/sh\n');
  chmodSync(join(root, 'setuid-tool'), 0o4755);
  writeFileSync(join(root, 'naïve-café-日本.txt'), 'unicode\n');
  linkSync(join(root, 'etc', 'hostname'), join(root, 'hostname-link'));
  symlinkSync('/etc/hostname', join(root, 'absolute-symlink'));
  if (longNames) {
    mkdirSync(join(root, LONG_DIRECTORY), { recursive: true });
    writeFileSync(join(root, LONG_FILE), 'long\n');
    symlinkSync(`/${'t'.repeat(150)}`, join(root, 'long-symlink'));
    linkSync(join(root, LONG_FILE), join(root, 'long-hardlink'));
  }
}

/** Entries as tar-stream reads them: the independent reading the tests compare with. */
async function* tarStreamEntries(tar: Buffer): AsyncGenerator<ArchiveEntry> {
  const extract = tarStream.extract();
  Readable.from([tar]).pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) yield { header: entry.header as TarHeader, body: entry as unknown as AsyncIterable<Buffer> };
}

const gnuTar = (format: string, tree: string) =>
  execFileSync('tar', [`--format=${format}`, '--sort=name', '--numeric-owner', '-cf', '-', '-C', tree, '.'], { maxBuffer: 64 * 1024 * 1024 });

describe('reading a runtime tar', () => {
  const trees = { long: join(workDir, 'long'), short: join(workDir, 'short') };
  beforeAll(() => {
    makeTree(trees.long, { longNames: true });
    makeTree(trees.short, { longNames: false });
  });

  it.each([
    ['gnu', 'long'],
    ['posix', 'long'],
    ['ustar', 'short'],
  ] as const)('reads GNU tar --format=%s as tar-stream does, across chunk boundaries', async (format, tree) => {
    // Prepare
    const tar = gnuTar(format, trees[tree]);
    const expected = await describeEntries(tarStreamEntries(tar));

    // Act: chunks that are not whole blocks split headers and bodies anywhere
    const actual = await describeEntries(readTarEntries(chunked(tar, 1000)));

    // Assess
    expect(actual).toEqual(expected);
    expect(actual.map((entry) => entry.name)).toContain('./naïve-café-日本.txt');
    expect(actual.find((entry) => entry.name === './etc/shadow')?.mode).toBe(0);
    if (tree === 'long') expect(actual.map((entry) => entry.name)).toContain(`./${LONG_FILE}`);
  });

  it('hands bodies on as views of the chunks the tar came in', async () => {
    // Prepare
    const tar = gnuTar('gnu', trees.short);
    const chunks = [...(function* () {
      for (let offset = 0; offset < tar.length; offset += 4096) yield Buffer.from(tar.subarray(offset, offset + 4096));
    })()];

    // Act
    const bodyChunks: Buffer[] = [];
    for await (const { body } of readTarEntries(Readable.from(chunks))) for await (const chunk of body) bodyChunks.push(chunk);

    // Assess
    const inputMemory = new Set<ArrayBufferLike>(chunks.map((chunk) => chunk.buffer));
    expect(bodyChunks.length).toBeGreaterThan(0);
    expect(bodyChunks.every((chunk) => inputMemory.has(chunk.buffer))).toBe(true);
  });

  it.each([
    ['at an entry boundary', (tar: Buffer) => tar.subarray(0, 3 * 512)],
    ['in the middle of a body', (tar: Buffer) => tar.subarray(0, 3 * 512 + 30_000)],
  ])('fails a tar cut %s as truncated', async (_, cut) => {
    // Prepare: headers at 0 and 1024, the second file's 70,001 bytes from 1536
    const tree = join(workDir, 'cut');
    mkdirSync(tree);
    writeFileSync(join(tree, 'a'), 'a\n');
    writeFileSync(join(tree, 'b'), Buffer.alloc(70_001, 1));
    const tar = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', tree, 'a', 'b']);
    rmSync(tree, { recursive: true });

    // Act
    const reading = describeEntries(readTarEntries(chunked(cut(tar))));

    // Assess
    await expect(reading).rejects.toThrow(/truncated/);
  });
});

describe('writing a tar', () => {
  async function* entries(): AsyncGenerator<ArchiveEntry> {
    const bytes = (content: string) => (async function* () { yield Buffer.from(content); })();
    yield { header: headerOf({ name: 'deep/', type: 'directory', mode: 0o700 }), body: bytes('') };
    yield { header: headerOf({ name: `${LONG_DIRECTORY}/`, type: 'directory', mode: 0o755 }), body: bytes('') };
    yield { header: headerOf({ name: LONG_FILE, size: 5, uid: 3_000_000, gid: 654_321, uname: 'someone', gname: 'others' }), body: bytes('long\n') };
    yield { header: headerOf({ name: 'naïve-café-日本.txt', size: 8, mode: 0o600 }), body: bytes('unicode\n') };
    yield { header: headerOf({ name: 'etc/shadow', size: 4, mode: 0 }), body: bytes('root') };
    yield { header: headerOf({ name: 'long-symlink', type: 'symlink', mode: 0o777, linkname: `/${'t'.repeat(150)}` }), body: bytes('') };
    yield { header: headerOf({ name: 'long-hardlink', type: 'link', linkname: LONG_FILE }), body: bytes('') };
    yield { header: headerOf({ name: 'xattr', size: 1, pax: { 'SCHILY.xattr.user.note': 'kept' } }), body: bytes('x') };
  }

  it('writes what tar-stream reads back as it was written', async () => {
    // Prepare
    const expected = await describeEntries(entries());

    // Act
    const tar = await collect(tarBytes(entries()));
    const actual = await describeEntries(tarStreamEntries(tar));

    // Assess
    expect(actual).toEqual(expected);
  });

  it('writes what GNU tar lists and extracts with its owners, modes and extended attributes', async () => {
    // Prepare
    const tarPath = join(workDir, 'written.tar');
    writeFileSync(tarPath, await collect(tarBytes(entries())));

    // Act
    const listing = execFileSync('tar', ['--numeric-owner', '--xattrs', '-tvf', tarPath], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    const names = execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' }).trim().split('\n');

    // Assess
    expect(names).toEqual(['deep/', `${LONG_DIRECTORY}/`, LONG_FILE, 'naïve-café-日本.txt', 'etc/shadow', 'long-symlink', 'long-hardlink', 'xattr']);
    expect(listing).toMatch(new RegExp(`^-rw-r--r-- +3000000/654321 +5 2024-01-01 00:00 ${LONG_FILE}$`, 'm'));
    expect(listing).toMatch(/^---------- +0\/0 +4 2024-01-01 00:00 etc\/shadow$/m);
    expect(listing).toContain(`long-symlink -> /${'t'.repeat(150)}`);
    expect(listing).toContain(`long-hardlink link to ${LONG_FILE}`);
    const paxRecords = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-tvvf', tarPath, 'xattr'], { encoding: 'utf8' });
    expect(paxRecords).toContain('user.note');
  });

  it('writes numbers past their octal fields in base-256: sizes over 8 GiB, times before 1970', () => {
    // Prepare
    const big = headerOf({ name: 'huge', size: 9 * 1024 ** 3, mtime: new Date('1960-06-01T00:00:00Z') });

    // Act
    const decoded = decodeHeaderBlock(encodeEntryHeader(big));

    // Assess
    expect(decoded).toMatchObject({ kind: 'entry', header: { name: 'huge', size: big.size, mtime: big.mtime } });
  });

  it('refuses a header of a type it does not know rather than write it as something else', async () => {
    // Prepare
    const odd = { header: headerOf({ name: 'sparse', type: null }), body: chunked(Buffer.alloc(0)) };

    // Act
    const writing = collect(tarBytes([odd]));

    // Assess
    await expect(writing).rejects.toThrow(/Cannot write tar entry "sparse"/);
  });
});
