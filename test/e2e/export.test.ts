// Export end to end: HTTP request -> task in DynamoDB -> stream -> worker -> archive in S3.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { call, waitForTask } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { useTestStack } from '../support/stack.ts';
import { snapshotEntries, snapshotTar, under } from '../support/tar-snapshot.ts';

const stack = useTestStack({ STEVEDORE_SHARE_FOLDERS: 'test:rw,archive:ro' }, { worker: true });
const { putObject, readObject, keysUnder } = bucketHelpers(stack);

beforeAll(async () => {
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'utest', image: 'demo', tag: 'latest' });
  expect(created.status).toBe(200);
});

describe('export of the spec example', () => {
  for (const [file, compress] of [
    ['c.tgz', true],
    ['c.tar', false],
  ] as const) {
    it(`writes test/${file} with the config entry first and every file of the container`, async () => {
      // Act
      const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: `test/${file}`, compress });
      // Assess: the response is exactly the spec's shape
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['cid', 'cname', 'compress', 'id', 'init', 'path', 'state', 'type', 'user']);
      expect(response.body).toMatchObject({ cid: 'utest', cname: 'utest', compress, path: `/test/${file}`, state: 'waiting', type: 'lxc', user: 'Anonymous' });
      const task = await waitForTask(stack.url, 'export', response.body.id);
      expect(task).toMatchObject({ state: 'completed', result: 0 });
      expect(task).not.toHaveProperty('progress');
      expect(task.end).toBeGreaterThanOrEqual(task.start);

      const bytes = await readObject(`test/${file}`);
      expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(compress);
      const entries = await snapshotTar(bytes);
      expect(entries[0]!.name).toBe('config.json');
      const expected = await snapshotEntries(demoRootfs());
      const actual = under(entries, 'rootfs');
      expect(actual.map((e) => e.name).sort()).toEqual(expected.map((e) => e.name).sort());
      const byName = new Map(actual.map((e) => [e.name, e]));
      for (const want of expected) expect(byName.get(want.name), want.name).toEqual(want);
      expect(expected.some((e) => e.type === 'symlink')).toBe(true);
    });
  }

  it('stores the container config first, for inspect to read, and the root filesystem under rootfs/', async () => {
    // Act: an export of this test's own, so that it depends on no other test's file
    const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/inspected.tgz' });
    const task = await waitForTask(stack.url, 'export', response.body.id);
    const entries = await snapshotTar(await readObject('test/inspected.tgz'));
    const inspected = await call(stack.url, 'GET', '/api/v1/import/test/?name=inspected.tgz');
    const config = (await call(stack.url, 'GET', '/api/v1/container/lxc/utest/all')).body;
    // Assess
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(entries[0]!.name).toBe('config.json');
    expect(entries[0]!.size).toBeGreaterThan(0);
    expect(under(entries, 'rootfs')).toEqual(await snapshotEntries(demoRootfs()));
    expect(inspected.status).toBe(200);
    expect(inspected.body).toEqual({ ...config, source: 'stevedore' });
  });
});

describe('export validation', () => {
  const cases: [string, string, unknown, number, RegExp | string][] = [
    ['a missing path', '/api/v1/container/lxc/utest/export', {}, 400, /"path" is required/],
    ['an unsupported extension', '/api/v1/container/lxc/utest/export', { path: 'test/c.zip' }, 400, /\.tar or \.tgz/],
    ['a name over 20 characters', '/api/v1/container/lxc/utest/export', { path: 'test/abcdefghijklmnopqrstu.tar' }, 400, /1-20 characters/],
    ['a name with a dot', '/api/v1/container/lxc/utest/export', { path: 'test/c.d.tgz' }, 400, /1-20 characters/],
    ['a name with a space', '/api/v1/container/lxc/utest/export', { path: 'test/c d.tgz' }, 400, /1-20 characters/],
    ['compress false for .tgz', '/api/v1/container/lxc/utest/export', { path: 'test/v1.tgz', compress: false }, 400, /contradicts/],
    ['compress true for .tar', '/api/v1/container/lxc/utest/export', { path: 'test/v2.tar', compress: true }, 400, /contradicts/],
    ['compress that is not a boolean', '/api/v1/container/lxc/utest/export', { path: 'test/v3.tar', compress: 'yes' }, 400, /true or false/],
    ['a share folder that does not exist', '/api/v1/container/lxc/utest/export', { path: 'Public/c.tgz' }, 400, 'Public/c.tgz'],
    ['a subfolder that does not exist', '/api/v1/container/lxc/utest/export', { path: 'test/nope/c.tgz' }, 400, 'test/nope'],
    ['a file directly under no share folder', '/api/v1/container/lxc/utest/export', { path: 'c.tgz' }, 400, /Invalid export path|c\.tgz/],
    ['a traversal', '/api/v1/container/lxc/utest/export', { path: 'test/../c.tgz' }, 400, /not allowed/],
    ['a read-only share folder', '/api/v1/container/lxc/utest/export', { path: 'archive/c.tgz' }, 403, /read-only/],
    ['an unknown container', '/api/v1/container/lxc/nobody/export', { path: 'test/n.tgz' }, 404, /nobody/],
    ['an unknown container type', '/api/v1/container/vm/utest/export', { path: 'test/n.tgz' }, 400, /lxc.*docker/],
  ];
  for (const [what, path, body, status, message] of cases) {
    it(`refuses ${what} and creates nothing`, async () => {
      // Prepare
      const tasksBefore = (await call(stack.url, 'GET', '/api/v1/export/')).body;
      const keysBefore = await keysUnder('');
      // Act
      const response = await call(stack.url, 'POST', path, body);
      // Assess
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(status);
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
      expect((await call(stack.url, 'GET', '/api/v1/export/')).body).toEqual(tasksBefore);
      expect(await keysUnder('')).toEqual(keysBefore);
    });
  }

  it('refuses to overwrite an existing file without force, and leaves it as it was', async () => {
    // Prepare
    await putObject('test/keep.tar', 'precious');
    // Act
    const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/keep.tar' });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/already exists.*force/);
    expect((await readObject('test/keep.tar')).toString()).toBe('precious');
  });

  it('refuses a path that names a folder, with or without force, and creates nothing', async () => {
    // Prepare
    expect((await call(stack.url, 'POST', '/api/v1/sharefolder/test', { name: 'dirx.tgz', is_dir: true })).status).toBe(200);
    const tasksBefore = (await call(stack.url, 'GET', '/api/v1/export/')).body;
    const keysBefore = await keysUnder('');
    for (const force of [false, true]) {
      // Act
      const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/dirx.tgz', force });
      // Assess
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 400, message: '/test/dirx.tgz is a folder; an export writes a file' });
    }
    expect((await call(stack.url, 'GET', '/api/v1/export/')).body).toEqual(tasksBefore);
    expect(await keysUnder('')).toEqual(keysBefore);
  });

  it('exports to a path as long as S3 keys allow, and deletes its folder afterwards', async () => {
    // Prepare: nested folders, so that the archive's key takes 1021 of S3's 1024 bytes and the
    // task's reservation and in-use keys would exceed DynamoDB's 1024-byte sort keys as they are
    let folder = 'test';
    for (const name of ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(232)).concat('e'.repeat(75))) {
      expect((await call(stack.url, 'POST', `/api/v1/sharefolder/${folder}/`, { name, is_dir: true })).status).toBe(200);
      folder = `${folder}/${name}`;
    }
    const archive = `${folder}/long.tar`;
    expect(Buffer.byteLength(archive)).toBe(1021);
    // Act
    const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: archive });
    const task = await waitForTask(stack.url, 'export', response.body.id);
    const deleted = await call(stack.url, 'DELETE', `/api/v1/sharefolder/${folder}/`);
    // Assess
    expect(response.status).toBe(200);
    expect(task.state).toBe('completed');
    expect(deleted.status).toBe(200);
    expect(await keysUnder(`${folder}/`)).toEqual([]);
  });

  it('replaces an existing file with force once the new archive is complete', async () => {
    // Prepare
    await putObject('test/replace.tar', 'old');
    // Act
    const response = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/replace.tar', force: true });
    const task = await waitForTask(stack.url, 'export', response.body.id);
    // Assess
    expect(task.state).toBe('completed');
    const entries = await snapshotTar(await readObject('test/replace.tar'));
    expect(entries[0]!.name).toBe('config.json');
  });
});

describe('export task list', () => {
  it('lists newest first and clears only finished tasks', async () => {
    // Prepare
    const first = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/l1.tar' });
    const second = await call(stack.url, 'POST', '/api/v1/container/lxc/utest/export', { path: 'test/l2.tar' });
    await waitForTask(stack.url, 'export', first.body.id);
    await waitForTask(stack.url, 'export', second.body.id);
    // Act
    const listed = (await call(stack.url, 'GET', '/api/v1/export/')).body as { id: number }[];
    const cleared = await call(stack.url, 'DELETE', '/api/v1/export/');
    // Assess
    const ids = listed.map((t) => t.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual([...ids].sort((a, b) => a - b));
    expect((await call(stack.url, 'GET', '/api/v1/export/')).body).toEqual([]);
    expect((await call(stack.url, 'DELETE', '/api/v1/export')).body).toEqual([]);
  });
});
