import { describe, expect, it } from 'vitest';
import { packArchive } from '../../lib/archive/pack.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { FIXED_MTIME, SAMPLE_CONFIG, collect, describeEntries, sha256 } from './archive-fixtures.ts';

describe('demoRootfs', () => {
  it.each([false, true])('packs to the same bytes every time (compress: %s)', async (compress) => {
    // Prepare
    const options = { compress, gzipLevel: 6, mtime: FIXED_MTIME };

    // Act
    const first = await collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: demoRootfs() }, options));
    const second = await collect(packArchive(SAMPLE_CONFIG, { format: 'entries', entries: demoRootfs() }, options));

    // Assess
    expect(sha256(first)).toBe(sha256(second));
  });

  it('is a small but real root filesystem with every kind of entry', async () => {
    // Prepare
    const byName = new Map((await describeEntries(demoRootfs())).map((entry) => [entry.name, entry]));
    const entries = [...byName.values()];

    // Act
    const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
    const childrenOf = (directory: string) => entries.filter((entry) => entry.name.startsWith(`${directory}/`));

    // Assess
    expect(entries.length).toBeGreaterThanOrEqual(250);
    expect(entries.length).toBeLessThanOrEqual(400);
    expect(totalBytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(totalBytes).toBeLessThan(6 * 1024 * 1024);
    expect(entries.every((entry) => entry.mtime === Date.UTC(2024, 0, 1))).toBe(true);
    for (const directory of ['bin', 'etc', 'usr/lib/demo', 'var/log', 'home/demo']) {
      expect(byName.get(directory)?.type).toBe('directory');
    }
    expect(byName.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(byName.get('var/empty')?.type).toBe('directory');
    expect(childrenOf('var/empty')).toEqual([]);
    expect(byName.get('etc/hostname')).toMatchObject({ type: 'file', size: 'demo\n'.length });
    expect(byName.get('etc/os-release')?.type).toBe('file');
    expect(byName.get('README')?.type).toBe('file');
    expect(byName.get('bin/hello')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(byName.get('bin/sh')).toMatchObject({ type: 'symlink', linkname: 'hello' });
    expect(byName.get('usr/bin/hello')).toMatchObject({ type: 'link', linkname: 'bin/hello' });
    expect(byName.get('etc/motd')).toMatchObject({ type: 'file', size: 0 });
    expect(byName.get('home/demo/.profile')).toMatchObject({ uid: 1000, uname: 'demo' });
    const binaries = entries.filter((entry) => entry.name.endsWith('.so') || entry.name.endsWith('.bin'));
    expect(binaries.length).toBeGreaterThan(100);
    expect(new Set(binaries.map((entry) => entry.sha256)).size).toBe(binaries.length);
  });

  it('starts bin/hello with a shebang', async () => {
    // Prepare
    let script = '';

    // Act
    for await (const { header, body } of demoRootfs()) {
      const bytes = await collect(body);
      if (header.name === 'bin/hello') script = bytes.toString();
    }

    // Assess
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
  });
});
