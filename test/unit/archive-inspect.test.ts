import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { ArchiveError, FILE_NOT_SUPPORTED } from '../../lib/archive/errors.ts';
import { INSPECT_MAX_READ_BYTES, inspectArchive } from '../../lib/archive/inspect.ts';
import { packArchive, packTar } from '../../lib/archive/pack.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { buildTar, directory, file } from '../support/archives.ts';
import { FIXED_MTIME, SAMPLE_CONFIG, collect, countingRangeReader } from './archive-fixtures.ts';

async function packDemo(compress: boolean): Promise<Buffer> {
  return collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: demoRootfs() }, { compress, gzipLevel: 6, mtime: FIXED_MTIME }));
}

async function inspect(bytes: Buffer) {
  const reader = countingRangeReader(bytes);
  return inspectArchive(reader.read, bytes.length);
}

/** One big incompressible file: the archive is as large compressed as not. */
async function* bigRootfs(bytes: number): AsyncGenerator<ArchiveEntry> {
  const chunk = randomBytes(1024 * 1024);
  yield {
    header: { name: 'big.bin', type: 'file', mode: 0o644, size: bytes, mtime: FIXED_MTIME, linkname: '', uid: 0, gid: 0, uname: '', gname: '', devmajor: 0, devminor: 0 },
    body: (async function* () {
      for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
    })(),
  };
}

async function expectArchiveError(inspecting: Promise<unknown>, message: string | RegExp): Promise<void> {
  const error = await inspecting.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('inspectArchive', () => {
  it.each([
    ['.tar', false],
    ['.tgz', true],
  ])('returns the config of a %s archive', async (_kind, compress) => {
    // Prepare
    const archive = await packDemo(compress);

    // Act
    const config = await inspect(archive);

    // Assess
    expect(config).toEqual(SAMPLE_CONFIG);
  });

  it.each([
    ['.tar', false],
    ['.tgz', true],
  ])('reads no more than the bound from a 50 MiB %s archive', async (_kind, compress) => {
    // Prepare
    const archive = await collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: bigRootfs(50 * 1024 * 1024) }, { compress, gzipLevel: 1 }));
    const reader = countingRangeReader(archive);

    // Act
    const config = await inspectArchive(reader.read, archive.length);

    // Assess
    expect(archive.length).toBeGreaterThan(50 * 1024 * 1024);
    expect(config).toEqual(SAMPLE_CONFIG);
    expect(reader.requestedBytes()).toBeLessThanOrEqual(INSPECT_MAX_READ_BYTES);
  });

  it('reads further, still within the bound, when the config does not fit the first read', async () => {
    // Prepare
    // Nearly the 64 KiB allowed: with its header block the entry ends past the first 64 KiB read.
    const bigConfig = { ...SAMPLE_CONFIG, environment: [] as string[] };
    while (JSON.stringify(bigConfig, null, 2).length < 65_300) bigConfig.environment.push(`VARIABLE_${bigConfig.environment.length}=value`);
    const archive = await collect(packArchive(bigConfig, { format: 'entries', entries: bigRootfs(4 * 1024 * 1024) }, { compress: false, gzipLevel: 1 }));
    const reader = countingRangeReader(archive);

    // Act
    const config = await inspectArchive(reader.read, archive.length);

    // Assess
    expect(config).toEqual(bigConfig);
    expect(reader.requestedBytes()).toBeGreaterThan(64 * 1024);
    expect(reader.requestedBytes()).toBeLessThanOrEqual(INSPECT_MAX_READ_BYTES);
  });

  it.each([
    ['a docker-export-like rootfs tarball', () => buildTar([directory('bin/'), file('etc/hostname', 'box\n'), file('config.json', '{}')])],
    ['a gzipped rootfs tarball', () => buildTar([file('./etc/hostname', 'box\n')], { gzip: true })],
    ['a rootfs tarball whose first file is larger than every read', async () => collect(packTar(bigRootfs(4 * 1024 * 1024)))],
  ])('answers "no config" for %s, reading no more than the bound', async (_kind, build) => {
    // Prepare
    const bytes = await build();
    const reader = countingRangeReader(bytes);

    // Act
    const config = await inspectArchive(reader.read, bytes.length);

    // Assess
    expect(config).toBeUndefined();
    expect(reader.requestedBytes()).toBeLessThanOrEqual(INSPECT_MAX_READ_BYTES);
  });

  it.each([
    ['random bytes', async () => Buffer.concat([Buffer.from('xx'), randomBytes(100_000)])],
    ['a text file', async () => Buffer.from('Just some notes.\nNot an archive at all.\n'.repeat(500))],
    ['a tiny file', async () => Buffer.from('hi')],
    ['an empty tar', () => buildTar([])],
  ])('says "File not supported" for %s', async (_kind, build) => {
    // Prepare
    const bytes = await build();

    // Act
    const inspecting = inspect(bytes);

    // Assess
    await expectArchiveError(inspecting, FILE_NOT_SUPPORTED);
  });

  it('says "File not supported" for an empty file without reading it', async () => {
    // Prepare
    const reader = countingRangeReader(Buffer.alloc(0));

    // Act
    const inspecting = inspectArchive(reader.read, 0);

    // Assess
    await expectArchiveError(inspecting, FILE_NOT_SUPPORTED);
    expect(reader.requestedBytes()).toBe(0);
  });

  it('reports a corrupt gzip stream with zlib\'s reason', async () => {
    // Prepare
    const archive = await packDemo(true);
    for (let offset = 20; offset < 80; offset += 1) archive[offset] = 0xff;

    // Act
    const inspecting = inspect(archive);

    // Assess
    await expectArchiveError(inspecting, /^Corrupt gzip stream: \w.+/);
  });

  it('reports invalid JSON in config.json', async () => {
    // Prepare
    const archive = await buildTar([file('config.json', '{"name": "utest",'), directory('rootfs/')]);

    // Act
    const inspecting = inspect(archive);

    // Assess
    await expectArchiveError(inspecting, /^Invalid config\.json: .*JSON/);
  });

  it('reports a config.json without the fields of a config', async () => {
    // Prepare
    const archive = await buildTar([file('config.json', JSON.stringify({ ...SAMPLE_CONFIG, type: 'vm' }))]);

    // Act
    const inspecting = inspect(archive);

    // Assess
    await expectArchiveError(inspecting, 'Invalid config.json: "type" must be "lxc" or "docker"');
  });

  it('reports an archive that ends inside config.json as truncated', async () => {
    // Prepare
    const archive = await packDemo(false);
    const cut = archive.subarray(0, 600);

    // Act
    const inspecting = inspect(cut);

    // Assess
    await expectArchiveError(inspecting, 'Archive is truncated');
  });
});
