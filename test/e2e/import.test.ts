// Import end to end: archive in S3 -> inspect / HTTP request -> task in DynamoDB -> stream ->
// worker -> container (record in DynamoDB, root filesystem under .stevedore/containers/).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, waitForTask } from '../support/api.ts';
import { INVALID_SETTINGS, VALID_SETTINGS } from '../support/container-fields.ts';
import { buildTar, configEntry, gzipBomb, plainRootfsEntries, type EntrySpec } from '../support/archives.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';
import { snapshotTar, under, type EntrySnapshot } from '../support/tar-snapshot.ts';

const POLL_SECONDS = 2;
const stack = useTestStack({ STEVEDORE_POLL_SECONDS: String(POLL_SECONDS), STEVEDORE_POLL_INTERVAL_MS: '100' }, { worker: true });
const { putObject, readObject, keysUnder } = bucketHelpers(stack);

const CONTAINERS_PREFIX = '.stevedore/containers/';
/** An imported container's root filesystem: its key names the task and the claim's owner (base64url). */
const ROOTFS_KEY = /^\.stevedore\/containers\/import-\d+-[A-Za-z0-9_-]+\/rootfs\.tar$/;

/** The spec's example request body of `POST /api/v1/import/test/?name=c.tgz`. */
const SPEC_EXAMPLE_BODY = {
  type: 'lxc',
  name: 'utest_import',
  image: 'utest',
  network: { hostname: 'CustomHostName', port: [[12345, 1234, 'udp']] },
  resource: { device: [['allow', 'video4linux_(81)', 'rw']], limit: { cputime: 512, cpuweight: 512, memory: '768m' } },
  volume: { host: { '/var': { bind: '/mnt/vol1', ro: true }, '/tmp': { bind: '/mnt/vol2', ro: false } } },
};


/** What a client and the bucket show: every container, every import task, every key. */
async function observed(): Promise<{ containers: unknown; tasks: unknown; keys: string[] }> {
  const [containers, tasks, keys] = await Promise.all([
    call(stack.url, 'GET', '/api/v1/container').then((r) => r.body),
    call(stack.url, 'GET', '/api/v1/import/').then((r) => r.body),
    keysUnder(''),
  ]);
  return { containers, tasks, keys };
}

const importFrom = (file: string, body: unknown, folder = 'test') => call(stack.url, 'POST', `/api/v1/import/${folder}/?name=${file}`, body);
const inspect = (query: string, folder = 'test') => call(stack.url, 'GET', `/api/v1/import/${folder}/${query}`);

/** Imports and waits for the task to finish. */
async function importAndWait(file: string, body: unknown): Promise<Record<string, any>> {
  const created = await importFrom(file, body);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return waitForTask(stack.url, 'import', created.body.id, 60_000);
}

/** Exports a container to test/<file> and answers the archive's bytes. */
async function exportOf(type: 'lxc' | 'docker', id: string, file: string): Promise<Buffer> {
  const created = await call(stack.url, 'POST', `/api/v1/container/${type}/${id}/export`, { path: `test/${file}`, compress: file.endsWith('.tgz') });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const task = await waitForTask(stack.url, 'export', created.body.id, 60_000);
  expect(task).toMatchObject({ state: 'completed', result: 0 });
  return readObject(`test/${file}`);
}

const rootfsOf = async (archive: Buffer): Promise<EntrySnapshot[]> => under(await snapshotTar(archive), 'rootfs');

async function containerNamed(name: string): Promise<{ id: string; name: string; image: string; state: string; type: 'lxc' | 'docker' } | undefined> {
  return (await call(stack.url, 'GET', '/api/v1/container')).body.find((c: { name: string }) => c.name === name);
}

/** Keys that appeared, and keys that went away, between two listings. */
function difference(before: string[], after: string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((k) => !before.includes(k)), removed: before.filter((k) => !after.includes(k)) };
}

let exportedTgz: Buffer;
let exportedTar: Buffer;

beforeAll(async () => {
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'utest', image: 'demo', tag: 'latest' });
  expect(created.status).toBe(200);
  exportedTgz = await exportOf('lxc', 'utest', 'c.tgz');
  exportedTar = await exportOf('lxc', 'utest', 'c.tar');
});

describe('GET /api/v1/import/<folder>/?name=<file> (inspect)', () => {
  for (const file of ['c.tgz', 'c.tar']) {
    it(`answers the config stored in ${file} exported from utest, and changes nothing`, async () => {
      // Prepare
      const utest = (await call(stack.url, 'GET', '/api/v1/container/lxc/utest/all')).body;
      const before = await observed();
      // Act
      const response = await inspect(`?name=${file}`);
      // Assess
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['arch', 'autostart', 'image', 'name', 'network', 'resource', 'source', 'type', 'volume']);
      expect(response.body).toEqual({ ...utest, source: 'stevedore' });
      expect(response.body).toMatchObject({ name: 'utest', type: 'lxc', autostart: false, network: {}, resource: {}, volume: {} });
      expect(await observed()).toEqual(before);
    });
  }

  describe('refusals', () => {
    beforeAll(async () => {
      await putObject('test/notes.tgz', 'These are my notes, not an archive.\n');
      await putObject('test/random.tar', randomBytes(4096));
      await putObject('test/notes-gzipped.tgz', gzipSync('These are my notes, not an archive.\n'.repeat(100)));
      // A valid gzip member header (magic, deflate, no flags) followed by garbage.
      await putObject('test/garbage.tgz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]), randomBytes(4096)]));
      const flipped = Buffer.from(exportedTgz);
      for (let i = 12; i < 40; i++) flipped[i] = flipped[i]! ^ 0xff;
      await putObject('test/flipped.tgz', flipped);
    });

    const cases: [string, string, string | RegExp][] = [
      ['a file that does not exist', '?name=nope.tgz', 'test/nope.tgz'],
      ['a missing name', '', /"name".*required/],
      ['an empty name', '?name=', /"name".*required/],
      ['the name ".."', '?name=..', /Invalid name: ".." is not allowed/],
      ['a name with an encoded slash', '?name=a%2Fb', /Invalid name: .*slash/],
      ['a text file', '?name=notes.tgz', 'File not supported'],
      ['random bytes', '?name=random.tar', 'File not supported'],
      ['a gzip-compressed text file', '?name=notes-gzipped.tgz', 'File not supported'],
      ['a gzip header followed by garbage', '?name=garbage.tgz', /^Corrupt gzip stream: /],
      ['an exported .tgz with bytes flipped early', '?name=flipped.tgz', /^Corrupt gzip stream: /],
    ];
    for (const [what, query, message] of cases) {
      it(`refuses ${what} with 400 and a message, and changes nothing`, async () => {
        // Prepare
        const before = await observed();
        // Act
        const response = await inspect(query);
        // Assess
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe(400);
        if (typeof message === 'string') expect(response.body.error.message).toBe(message);
        else expect(response.body.error.message).toMatch(message);
        expect(await observed()).toEqual(before);
      });
    }
  });
});

/** A directory tree packed by the system's tar, as a user would: `tar -cf x.tar -C dir .`. */
function gnuTarball(flags: '-cf' | '-czf'): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'stevedore-rootfs-'));
  const dir = join(work, 'rootfs');
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'etc', 'hostname'), 'gnu\n');
  writeFileSync(join(dir, 'bin', 'tool'), randomBytes(3000));
  try {
    execFileSync('tar', [flags, join(work, 'out'), '-C', dir, '.']);
    return readFileSync(join(work, 'out'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('inspect of a plain root-filesystem tarball', () => {
  const tarballs: [what: string, file: string, bytes: () => Promise<Buffer>][] = [
    ['tar -cf (names with "./")', 'gnu_plain.tar', async () => gnuTarball('-cf')],
    ['tar -czf (names with "./", gzip)', 'gnu_gzip.tgz', async () => gnuTarball('-czf')],
    ['a docker export (names without "./")', 'docker_export.tar', () => buildTar(plainRootfsEntries())],
    ['a tarball whose config.json is not its first entry', 'late_config.tar', () => buildTar([...plainRootfsEntries(), configEntry({ name: 'late' })])],
  ];
  for (const [what, file, bytes] of tarballs) {
    it(`answers the config import gives ${what}, and import then creates exactly that config`, async () => {
      // Prepare
      await putObject(`test/${file}`, await bytes());
      const before = await observed();
      const name = file.replace(/\..*$/, '');
      // Act
      const inspected = await inspect(`?name=${file}`);
      const unchanged = await observed();
      const task = await importAndWait(file, { type: 'lxc', name });
      // Assess
      expect(inspected.status, JSON.stringify(inspected.body)).toBe(200);
      expect(inspected.body).toEqual({ arch: expect.any(String), autostart: false, image: 'import', name, network: {}, resource: {}, type: 'lxc', volume: {} });
      expect(unchanged).toEqual(before);
      expect(task).toMatchObject({ state: 'completed', result: 0 });
      expect((await call(stack.url, 'GET', `/api/v1/container/lxc/${name}/all`)).body).toEqual(inspected.body);
    });
  }

  it('names the config after the file, falling back to "import" where the file name is no container name', async () => {
    // Prepare
    await putObject('test/x.tar', await buildTar(plainRootfsEntries()));
    await putObject('test/my rootfs (1).tar.gz', await buildTar(plainRootfsEntries(), { gzip: true }));
    // Act
    const short = await inspect('?name=x.tar');
    const spaced = await inspect(`?name=${encodeURIComponent('my rootfs (1).tar.gz')}`);
    // Assess
    expect(short.body).toMatchObject({ name: 'import', image: 'import' });
    expect(spaced.body).toMatchObject({ name: 'my_rootfs__1_', image: 'import' });
  });
});

describe('POST /api/v1/import/<folder>/?name=<file> of the spec example', () => {
  it('answers the waiting task in the spec shape, then creates utest_import with the request config over the archive', async () => {
    // Prepare
    const containerKeys = await keysUnder(CONTAINERS_PREFIX);
    // Act
    const response = await importFrom('c.tgz', SPEC_EXAMPLE_BODY);
    const task = await waitForTask(stack.url, 'import', response.body.id, 60_000);
    // Assess: the response, exactly the spec's shape
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['cid', 'cname', 'create_params', 'id', 'image', 'init', 'path', 'state', 'type', 'user']);
    expect(response.body).toMatchObject({ cid: 'utest_import', cname: 'utest_import', image: 'import', path: '/test/c.tgz', state: 'waiting', type: 'lxc', user: 'Anonymous' });
    expect(response.body.create_params).toEqual({
      image: 'import',
      name: 'utest_import',
      network: SPEC_EXAMPLE_BODY.network,
      resource: SPEC_EXAMPLE_BODY.resource,
      tag: 'latest',
      type: 'lxc',
      volume: SPEC_EXAMPLE_BODY.volume,
    });
    expect(response.body).not.toHaveProperty('compress');
    // The task
    expect(task).toMatchObject({ id: response.body.id, state: 'completed', result: 0, path: '/test/c.tgz', cid: 'utest_import' });
    expect(task).not.toHaveProperty('progress');
    expect(task).not.toHaveProperty('warnings');
    expect(task).not.toHaveProperty('compress');
    expect(task.end).toBeGreaterThanOrEqual(task.start);
    // The container: the request's network/resource/volume, the rest from the archive
    const utest = (await call(stack.url, 'GET', '/api/v1/container/lxc/utest/all')).body;
    const config = await call(stack.url, 'GET', '/api/v1/container/lxc/utest_import/all');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ arch: utest.arch, autostart: false, image: utest.image, name: 'utest_import', type: 'lxc' });
    expect(config.body.network).toEqual(SPEC_EXAMPLE_BODY.network);
    expect(config.body.resource).toEqual(SPEC_EXAMPLE_BODY.resource);
    expect(config.body.volume).toEqual(SPEC_EXAMPLE_BODY.volume);
    // The archive's own bookkeeping does not become part of the container.
    expect(config.body).not.toHaveProperty('source');
    expect(await containerNamed('utest_import')).toEqual({ id: 'utest_import', name: 'utest_import', image: 'import:latest', state: 'stopped', type: 'lxc' });
    const { added, removed } = difference(containerKeys, await keysUnder(CONTAINERS_PREFIX));
    expect(removed).toEqual([]);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(ROOTFS_KEY);
  });
});

describe('import settings', () => {
  it('echoes every valid setting in create_params and gives them to the container over the archive', async () => {
    // Act
    const response = await importFrom('c.tgz', { type: 'docker', name: 'settings_import', ...VALID_SETTINGS });
    const task = await waitForTask(stack.url, 'import', response.body.id, 60_000);
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.create_params).toEqual({ image: 'import', name: 'settings_import', tag: 'latest', type: 'docker', ...VALID_SETTINGS });
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    const listed = await containerNamed('settings_import');
    const config = (await call(stack.url, 'GET', `/api/v1/container/docker/${listed!.id}/all`)).body;
    expect(config).toMatchObject({ name: 'settings_import', type: 'docker', ...VALID_SETTINGS });
  });

  it('leaves out, with a warning, the settings of an archive config.json that break the rules, and inspect shows what import takes', async () => {
    // Prepare
    const hostile = {
      arch: 'amd64',
      autostart: true,
      image: 'evil',
      name: 'evil',
      type: 'lxc',
      source: 'stevedore',
      network: { hostname: 'fine', port: [['a', 'b', 'icmp']] },
      resource: { limit: { memory: 'lots' } },
      volume: { host: { '../../etc': { bind: '/etc' } } },
      environment: ['KEPT=1'],
      privileged: true,
    };
    await putObject('test/badsettings.tar', await buildTar([configEntry(hostile), { name: 'rootfs/etc/', type: 'directory' }]));
    // Act
    const inspected = await inspect('?name=badsettings.tar');
    const task = await importAndWait('badsettings.tar', { type: 'lxc', name: 'badsettings' });
    // Assess
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(200);
    expect(inspected.body).toEqual({ arch: 'amd64', autostart: true, environment: ['KEPT=1'], image: 'evil', name: 'evil', network: {}, resource: {}, source: 'stevedore', type: 'lxc', volume: {} });
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(task.warnings).toEqual([
      'left out "network" of config.json: "network.port[0][0]" must be a port number from 1 to 65535',
      'left out "resource" of config.json: "resource.limit.memory" must be a size like "768m", "1g" or a number of bytes',
      'left out "volume" of config.json: "volume.host[../../etc]" is not a share path: ".." is not allowed in a path',
    ]);
    const config = (await call(stack.url, 'GET', '/api/v1/container/lxc/badsettings/all')).body;
    const { source: _source, ...taken } = inspected.body;
    expect(config).toEqual({ ...taken, name: 'badsettings' });
  });
});

describe('import validation, before any task exists', () => {
  const cases: [string, string, unknown, string | RegExp][] = [
    ['a name already taken by a container', 'c.tgz', { type: 'lxc', name: 'utest' }, 'Container utest already exist!'],
    ['a name starting with "-"', 'c.tgz', { type: 'lxc', name: '-bad' }, /Invalid container name "-bad"/],
    ['a one-character name', 'c.tgz', { type: 'lxc', name: 'a' }, /Invalid container name "a"/],
    ['a missing name', 'c.tgz', { type: 'lxc' }, /"name" is required/],
    ['an unknown container type', 'c.tgz', { type: 'vm', name: 'vm_import' }, /"lxc" or "docker"/],
    ['a missing type', 'c.tgz', { name: 'notype' }, /"type" is required/],
    ['an archive that does not exist', 'nope.tgz', { type: 'lxc', name: 'nope_import' }, 'test/nope.tgz'],
  ];
  for (const [what, file, body, message] of cases) {
    it(`refuses ${what} with 400, and creates no task and no container`, async () => {
      // Prepare
      const before = await observed();
      // Act
      const response = await importFrom(file, body);
      // Assess
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe(400);
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
      expect(await observed()).toEqual(before);
    });
  }

  it('refuses a path that names a folder, even with an object under the same name, and creates nothing', async () => {
    // Prepare: a folder, and an object written straight to the bucket under its name
    await putObject('test/both.tgz/', '');
    await putObject('test/both.tgz', exportedTgz);
    const before = await observed();
    // Act
    const response = await importFrom('both.tgz', { type: 'lxc', name: 'both_import' });
    // Assess
    expect(response.body).toEqual({ error: { code: 400, message: 'test/both.tgz is a folder; an import reads a file' } });
    expect(await observed()).toEqual(before);
  });

  INVALID_SETTINGS.forEach(([what, fields, message], index) => {
    it(`refuses create_params with ${what} with 400 naming the field, and creates no task and no container`, async () => {
      // Prepare
      const name = `invalid_${index}`;
      const before = await observed();
      // Act
      const response = await importFrom('c.tgz', { type: 'lxc', name, ...fields });
      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 400, message: expect.any(String) } });
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
      expect(response.body.error.message.length).toBeLessThan(300);
      expect(await observed()).toEqual(before);
      expect((await call(stack.url, 'GET', `/api/v1/container/lxc/${name}`)).status).toBe(404);
    });
  });

  it('refuses a share folder that does not exist with 400 and its path', async () => {
    const before = await observed();
    const response = await importFrom('c.tgz', { type: 'lxc', name: 'nofolder' }, 'Public');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('Public');
    expect(await observed()).toEqual(before);
  });

  it('accepts only one of two concurrent imports creating the same new container', async () => {
    // Prepare
    const before = await observed();
    // Act
    const responses = await Promise.all([importFrom('c.tar', { type: 'lxc', name: 'twin' }), importFrom('c.tgz', { type: 'lxc', name: 'twin' })]);
    // Assess
    expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
    const refused = responses.find((r) => r.status === 400)!;
    expect(refused.body.error.message).toBe('Container twin already exist!');
    const accepted = responses.find((r) => r.status === 200)!;
    expect(await waitForTask(stack.url, 'import', accepted.body.id, 60_000)).toMatchObject({ state: 'completed', result: 0 });
    const tasks = (await call(stack.url, 'GET', '/api/v1/import/')).body as { id: number }[];
    expect(tasks.length).toBe((before.tasks as unknown[]).length + 1);
    const containers = (await call(stack.url, 'GET', '/api/v1/container')).body as { name: string }[];
    expect(containers.filter((c) => c.name === 'twin')).toHaveLength(1);
    expect(difference(before.keys, await keysUnder('')).added).toEqual([expect.stringMatching(ROOTFS_KEY)]);
  });
});

describe('round trip', () => {
  for (const [file, name] of [
    ['c.tar', 'rt_tar'],
    ['c.tgz', 'rt_tgz'],
  ] as const) {
    it(`imports ${file} as a container whose export has the same root filesystem as the original`, async () => {
      // Prepare
      const original = file === 'c.tar' ? exportedTar : exportedTgz;
      // Act
      const task = await importAndWait(file, { type: 'lxc', name });
      const again = await exportOf('lxc', name, `${name}.${file.split('.')[1]}`);
      // Assess
      expect(task).toMatchObject({ state: 'completed', result: 0 });
      expect(task).not.toHaveProperty('warnings');
      const expected = await rootfsOf(original);
      const actual = await rootfsOf(again);
      expect(actual).toEqual(expected);
      expect(expected.length).toBeGreaterThan(250);
      expect(new Set(expected.map((e) => e.type))).toEqual(new Set(['directory', 'file', 'symlink', 'link']));
      // The new archive's config is the imported container's
      expect((await inspect(`?name=${name}.${file.split('.')[1]}`)).body).toMatchObject({ name, type: 'lxc', source: 'stevedore' });
    });
  }
});

describe('plain root-filesystem tarballs (docker export)', () => {
  for (const [file, gzip, type, name] of [
    ['plain.tar', false, 'lxc', 'plain_lxc'],
    ['plain.tgz', true, 'docker', 'plain_docker'],
  ] as const) {
    it(`imports ${file} as a ${type} container named by the request, exporting back the same files`, async () => {
      // Prepare
      const tarball = await buildTar(plainRootfsEntries(), { gzip });
      await putObject(`test/${file}`, tarball);
      const containerKeys = await keysUnder(CONTAINERS_PREFIX);
      // Act
      const task = await importAndWait(file, { type, name });
      // Assess
      expect(task).toMatchObject({ state: 'completed', result: 0, type, cid: name });
      expect(task).not.toHaveProperty('warnings');
      const listed = await containerNamed(name);
      expect(listed).toMatchObject({ name, type, image: 'import:latest', state: 'stopped' });
      if (type === 'docker') expect(listed!.id).toMatch(/^[0-9a-f]{64}$/);
      else expect(listed!.id).toBe(name);
      const config = (await call(stack.url, 'GET', `/api/v1/container/${type}/${listed!.id}/all`)).body;
      expect(config).toEqual({ arch: expect.any(String), autostart: false, image: 'import', name, network: {}, resource: {}, type, volume: {} });
      expect(difference(containerKeys, await keysUnder(CONTAINERS_PREFIX)).added).toEqual([expect.stringMatching(ROOTFS_KEY)]);
      const exported = await exportOf(type, listed!.id, `${name}.tar`);
      expect(await rootfsOf(exported)).toEqual(await snapshotTar(tarball));
    });
  }
});

describe('hostile archives', () => {
  const hostileConfig = { arch: 'amd64', autostart: false, image: 'evil', name: 'evil', network: {}, resource: {}, type: 'lxc', volume: {}, source: 'stevedore' };

  const skipping: { what: string; file: string; entries: EntrySpec[]; gzip: boolean; warnings: string[]; kept: Partial<EntrySnapshot>[] }[] = [
    {
      what: 'a plain tarball',
      file: 'hostile.tar',
      gzip: false,
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/hostname', content: 'h\n' },
        { name: '../../etc/passwd', content: 'pwned\n' },
        { name: '/opt/abs', content: 'absolute\n' },
        { name: 'evil', type: 'symlink', linkname: '/etc' },
        { name: 'evil/passwd', content: 'pwned\n' },
        { name: 'hard', type: 'link', linkname: '../../etc/shadow' },
        { name: 'dev/', type: 'directory' },
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
      ],
      warnings: [
        'skipped "../../etc/passwd": path escapes the root',
        'removed leading "/" from entry names',
        'skipped "evil/passwd": path goes through symlink "evil"',
        'skipped "hard": hardlink target "../../etc/shadow" is not an earlier file of the archive',
        'skipped "dev/null": character devices are not imported',
      ],
      kept: [
        { name: 'etc', type: 'directory' },
        { name: 'etc/hostname', type: 'file', size: 2 },
        { name: 'opt/abs', type: 'file', size: 9 },
        { name: 'evil', type: 'symlink', linkname: '/etc' },
        { name: 'dev', type: 'directory' },
      ],
    },
    {
      what: 'an archive in stevedore format',
      file: 'hostile.tgz',
      gzip: true,
      entries: [
        configEntry(hostileConfig),
        { name: 'rootfs/etc/', type: 'directory' },
        { name: 'rootfs/etc/hostname', content: 'h\n' },
        { name: 'rootfs/../../x', content: 'pwned\n' },
        { name: '../../etc/passwd', content: 'pwned\n' },
        { name: '/etc/cron.d/evil', content: 'pwned\n' },
        { name: 'rootfs/evil', type: 'symlink', linkname: '/etc' },
        { name: 'rootfs/evil/passwd', content: 'pwned\n' },
        { name: 'rootfs/hard', type: 'link', linkname: '../../etc/shadow' },
        { name: 'rootfs/dev/', type: 'directory' },
        { name: 'rootfs/dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: 'rootfs/fifo', type: 'fifo' },
      ],
      warnings: [
        'skipped "rootfs/../../x": path escapes the root',
        'skipped "../../etc/passwd": path escapes the root',
        'removed leading "/" from entry names',
        'skipped "/etc/cron.d/evil": outside rootfs/',
        'skipped "rootfs/evil/passwd": path goes through symlink "evil"',
        'skipped "rootfs/hard": hardlink target "../../etc/shadow" is not an earlier file of the archive',
        'skipped "rootfs/dev/sda": block devices are not imported',
        'skipped "rootfs/fifo": fifos are not imported',
      ],
      kept: [
        { name: 'etc', type: 'directory' },
        { name: 'etc/hostname', type: 'file', size: 2 },
        { name: 'evil', type: 'symlink', linkname: '/etc' },
        { name: 'dev', type: 'directory' },
      ],
    },
  ];
  skipping.forEach(({ what, file, entries, gzip, warnings, kept }, index) => {
    it(`imports ${what} without its escaping, link-through and device entries, and lists them as warnings`, async () => {
      // Prepare
      await putObject(`test/${file}`, await buildTar(entries, { gzip }));
      const name = `hostile_${index}`;
      const keysBefore = await keysUnder('');
      // Act
      const task = await importAndWait(file, { type: 'lxc', name });
      // Assess
      expect(task).toMatchObject({ state: 'completed', result: 0, warnings });
      // Nothing was written anywhere but the new container's root filesystem object.
      expect(difference(keysBefore, await keysUnder(''))).toEqual({ added: [expect.stringMatching(ROOTFS_KEY)], removed: [] });
      const exported = await rootfsOf(await exportOf('lxc', name, `${name}.tar`));
      expect(exported.map(({ name: n, type }) => ({ name: n, type }))).toEqual(kept.map(({ name: n, type }) => ({ name: n, type })));
      exported.forEach((entry, i) => expect(entry).toMatchObject(kept[i]!));
    });
  });

  const aborting: { what: string; file: string; bytes: () => Promise<Buffer>; error: RegExp }[] = [
    {
      what: 'a gzip bomb (300 MiB of zeros)',
      file: 'bomb.tgz',
      bytes: () => gzipBomb([configEntry(hostileConfig), { name: 'rootfs/', type: 'directory' }], 'rootfs/zeros', 300 * 1024 * 1024),
      // Refused after the first 64 MiB of plain bytes, long before the 300 MiB.
      error: /^Archive expands more than 200 times its compressed size \(\d+K became 6\dM\); refusing a likely gzip bomb$/,
    },
    {
      what: 'an exported .tgz cut in the middle',
      file: 'cut.tgz',
      bytes: async () => exportedTgz.subarray(0, Math.floor(exportedTgz.length / 2)),
      error: /^Archive is truncated: the gzip stream ends early$/,
    },
    {
      what: 'an exported .tar cut in the middle',
      file: 'cut.tar',
      bytes: async () => exportedTar.subarray(0, Math.floor(exportedTar.length / 2) + 100),
      error: /^Archive is truncated \(last entry read: "rootfs\/.+"\)$/,
    },
    {
      what: 'an exported .tar cut between two entries, end marker missing',
      file: 'cut2.tar',
      // config.json's header and its body (under one block) end at 1024.
      bytes: async () => exportedTar.subarray(0, 1024),
      error: /^Archive is truncated \(last entry read: "config.json"\)$/,
    },
    {
      what: 'an exported .tgz with flipped bytes',
      file: 'flipped2.tgz',
      bytes: async () => {
        const flipped = Buffer.from(exportedTgz);
        for (let i = 12; i < 40; i++) flipped[i] = flipped[i]! ^ 0xff;
        return flipped;
      },
      error: /^Corrupt gzip stream: /,
    },
    {
      what: 'an archive whose config.json is not a valid config',
      file: 'badconfig.tar',
      bytes: () => buildTar([configEntry({ ...hostileConfig, type: 'vm' }), { name: 'rootfs/etc/', type: 'directory' }]),
      error: /^Invalid config\.json: "type" must be "lxc" or "docker"$/,
    },
    {
      what: 'a text file',
      file: 'text.tar',
      bytes: async () => Buffer.from('not an archive at all\n'),
      error: /^File not supported$/,
    },
  ];
  aborting.forEach(({ what, file, bytes, error }, index) => {
    it(`aborts the import of ${what} with a message, leaving no container and no root filesystem object`, async () => {
      // Prepare
      await putObject(`test/${file}`, await bytes());
      const name = `aborted_${index}`;
      const containersBefore = (await call(stack.url, 'GET', '/api/v1/container')).body;
      const rootfsBefore = await keysUnder(CONTAINERS_PREFIX);
      // Act
      const created = await importFrom(file, { type: 'lxc', name });
      const task = await waitForTask(stack.url, 'import', created.body.id, 60_000);
      // Assess
      expect(created.status).toBe(200);
      expect(task).toMatchObject({ state: 'aborted', result: 1, cid: name });
      expect(task.error).toMatch(error);
      expect(task).not.toHaveProperty('progress');
      expect(task).not.toHaveProperty('warnings');
      expect((await call(stack.url, 'GET', '/api/v1/container')).body).toEqual(containersBefore);
      expect((await call(stack.url, 'GET', `/api/v1/container/lxc/${name}`)).status).toBe(404);
      expect(await keysUnder(CONTAINERS_PREFIX)).toEqual(rootfsBefore);
    });
  });

  it('frees the name of an aborted import for the next import', async () => {
    // Prepare
    await putObject('test/junk.tar', 'junk');
    await putObject('test/retry.tar', await buildTar(plainRootfsEntries()));
    const first = await importFrom('junk.tar', { type: 'lxc', name: 'second_try' });
    expect(await waitForTask(stack.url, 'import', first.body.id)).toMatchObject({ state: 'aborted', result: 1 });
    // Act
    const second = await importFrom('retry.tar', { type: 'lxc', name: 'second_try' });
    const task = await waitForTask(stack.url, 'import', second.body.id);
    // Assess
    expect(second.status).toBe(200);
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(await containerNamed('second_try')).toMatchObject({ id: 'second_try', type: 'lxc' });
  });
});

describe('GET /api/v1/import/progress', () => {
  it('answers with nothing when its bound ends and nothing runs', async () => {
    // Act
    const started = Date.now();
    const response = await call(stack.url, 'GET', '/api/v1/import/progress');
    const elapsed = Date.now() - started;
    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(POLL_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(POLL_SECONDS * 1000 + 1500);
  });

  it('answers a poll started before a large import with the running import task before it completes', async () => {
    // Prepare: an archive of about 40 MiB of incompressible files, exported as .tar
    await stack.services.builtinRuntime.putImage('bulky', 'latest', incompressibleRootfs(40, 1024 * 1024));
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'bulky', image: 'bulky', tag: 'latest' })).status).toBe(200);
    await exportOf('lxc', 'bulky', 'bulky.tar');
    const poll = call(stack.url, 'GET', '/api/v1/import/progress');
    await new Promise((r) => setTimeout(r, 200));
    // Act
    const created = await importFrom('bulky.tar', { type: 'lxc', name: 'bulky_import' });
    const answer = await poll;
    const task = await waitForTask(stack.url, 'import', created.body.id, 60_000);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ id: created.body.id, state: 'running', cid: 'bulky_import', path: '/test/bulky.tar', image: 'import' });
    expect(answer.body[0].progress).toBeGreaterThanOrEqual(0);
    expect(answer.body[0].progress).toBeLessThanOrEqual(99);
    expect(answer.body[0]).toHaveProperty('start');
    expect(answer.body[0]).not.toHaveProperty('end');
    expect(answer.body[0]).not.toHaveProperty('compress');
    expect(task).toMatchObject({ state: 'completed', result: 0 });
    expect(await containerNamed('bulky_import')).toMatchObject({ name: 'bulky_import', state: 'stopped' });
  });
});
