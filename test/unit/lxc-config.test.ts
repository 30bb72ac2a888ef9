// LXC container configs read into stevedore's settings and written back (lib/lxc/): against
// configs LXC's own templates make (lxc-create -t busybox, and -t local, which assembles its
// config as lxc-download does), and with liblxc itself (lxc-info) loading what stevedore writes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCgroupVersion, sharesFromWeight, weightFromShares } from '../../lib/lxc/cgroup-limits.ts';
import { entryLine, formatLxcValue, parseLxcConfig, parseLxcLine, serializeLxcConfig, setLxcEntries } from '../../lib/lxc/config-file.ts';
import { MAX_LXC_CONFIG_LINES, lxcConfigLinesSchema, readLxcConfig, writeLxcConfig, type CgroupVersion, type LxcSettings } from '../../lib/lxc/config-mapping.ts';
import { floorEntries } from '../../lib/lxc/config-policy.ts';
import { joinInitCmd, splitInitCmd } from '../../lib/lxc/init-cmd.ts';
import { checkWith } from '../../lib/validation.ts';

let work: string;
/** Containers LXC's templates made, in their LXC path. */
let templates: string;
/** Where configs stevedore wrote are put for liblxc to load. */
let written: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stevedore-lxc-config-'));
  templates = join(work, 'templates');
  written = join(work, 'written');
  execFileSync('lxc-create', ['-P', templates, '-n', 'c1', '-t', 'busybox'], { stdio: 'ignore' });
  // An image as lxc-download fetches one (a metadata tarball with the distribution's config, and
  // a root filesystem), given to lxc-local, which assembles the container's config the same way.
  const meta = join(work, 'meta');
  const fs = join(work, 'fs');
  mkdirSync(meta);
  mkdirSync(join(fs, 'etc'), { recursive: true });
  writeFileSync(join(meta, 'config'), 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.arch = x86_64\n');
  writeFileSync(join(fs, 'etc', 'hostname'), 'LXC_NAME\n');
  execFileSync('tar', ['-cJf', join(work, 'meta.tar.xz'), '-C', meta, '.']);
  execFileSync('tar', ['-cJf', join(work, 'rootfs.tar.xz'), '-C', fs, '.']);
  execFileSync('lxc-create', ['-P', templates, '-n', 'd1', '-t', 'local', '--', '--metadata', join(work, 'meta.tar.xz'), '--fstree', join(work, 'rootfs.tar.xz')], { stdio: 'ignore' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const templateConfig = (name: string) => readFileSync(join(templates, name, 'config'), 'utf8');

/** What liblxc holds for `key` once it loaded this config; it throws when liblxc refuses the config. */
function loadedByLxc(text: string, name: string, key: string): string {
  mkdirSync(join(written, name), { recursive: true });
  writeFileSync(join(written, name, 'config'), text);
  const output = execFileSync('lxc-info', ['-P', written, '-n', name, '-c', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return output.replace(`${key} = `, '').trimEnd();
}

/** The config's `key = value` lines as LXC reads them (unquoted). */
const entriesOf = (text: string) => parseLxcConfig(text).flatMap((line) => (line.kind === 'entry' ? [`${line.key} = ${line.value}`] : []));

function write(config: LxcSettings, unmapped: readonly string[] = [], cgroup: CgroupVersion = 1, shareRoot?: string) {
  return writeLxcConfig({ name: 'web', lxcPath: '/var/lib/lxc', config, unmapped, cgroup, shareRoot });
}

/** The lines of the written config between its root filesystem and the floor: the settings. */
function settingLines(config: LxcSettings, cgroup: CgroupVersion = 1): string[] {
  const entries = entriesOf(write(config, [], cgroup).text);
  return entries.slice(2, entries.length - floorEntries(cgroup).length);
}

const read = (text: string, options?: { shareRoot?: string }) => readLxcConfig(text, 'web', options);
const ROOTFS = 'lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs\n';

describe('an LXC config file, as liblxc reads it', () => {
  it('gives each key the value LXC sees: trimmed, one pair of quotes taken off, split at the first "="', () => {
    const lines = parseLxcConfig(
      ['lxc.uts.name = "c1"', "  lxc.environment='A=b c'  ", 'lxc.environment = A=b=c', 'lxc.init.cmd = "unterminated', 'lxc.init.cmd = "a" "b"', 'lxc.tty.max=5'].join('\n'),
    );
    expect(lines.map((line) => (line.kind === 'entry' ? [line.key, line.value] : line.kind))).toEqual([
      ['lxc.uts.name', 'c1'],
      ['lxc.environment', 'A=b c'],
      ['lxc.environment', 'A=b=c'],
      ['lxc.init.cmd', '"unterminated'],
      ['lxc.init.cmd', 'a" "b'],
      ['lxc.tty.max', '5'],
    ]);
  });

  it('keeps comments and blank lines, and writes the busybox template config back byte for byte', () => {
    const text = templateConfig('c1');
    const lines = parseLxcConfig(text);
    expect(lines.filter((line) => line.kind === 'comment').length).toBeGreaterThan(3);
    expect(lines.some((line) => line.kind === 'blank')).toBe(true);
    expect(serializeLxcConfig(lines)).toBe(text);
  });

  it('tells apart the lines LXC refuses or ignores', () => {
    expect(parseLxcLine('lxc.mount.entry')).toMatchObject({ kind: 'invalid', problem: 'it is not a "key = value" line, which LXC refuses' });
    expect(parseLxcLine('hook = /bin/sh')).toMatchObject({ kind: 'invalid', problem: 'LXC ignores lines whose key does not start with "lxc."' });
    expect(parseLxcLine('lxc.foo bar = 1')).toMatchObject({ kind: 'invalid', problem: '"lxc.foo bar" is not an LXC key' });
    expect(parseLxcLine('   # lxc.hook.start = x')).toMatchObject({ kind: 'comment' });
  });

  it('writes every value so that LXC reads back exactly that value', () => {
    const values = [' padded ', '"quoted"', "'single'", '"open', 'x = y', 'plain'];
    expect(values.map((value) => parseLxcLine(entryLine('lxc.environment', `V=${value}`).raw))).toEqual(values.map((value) => expect.objectContaining({ value: `V=${value}` })));
    expect(formatLxcValue('"quoted"')).toBe('""quoted""');
    expect(loadedByLxc(`lxc.init.cmd = ${formatLxcValue('"quoted"')}\n`, 'quoting', 'lxc.init.cmd')).toBe('"quoted"');
    expect(loadedByLxc(`lxc.environment = ${formatLxcValue('V= padded ')}\n`, 'quoting', 'lxc.environment')).toBe('V= padded');
  });

  it('refuses to write a value with a line break, which would add lines of its own', () => {
    expect(() => entryLine('lxc.net.0.link', 'br0\nlxc.hook.start-host = /bin/sh')).toThrow('the value of lxc.net.0.link contains a line break or control character');
  });

  it('sets a key in place, keeping the comments and the other lines where they are', () => {
    const lines = parseLxcConfig('# mine\nlxc.start.auto = 0\nlxc.tty.max = 5\nlxc.start.auto = 1\n');
    expect(serializeLxcConfig(setLxcEntries(lines, 'lxc.start.auto', ['1']))).toBe('# mine\nlxc.start.auto = 1\nlxc.tty.max = 5\n');
    expect(serializeLxcConfig(setLxcEntries(lines, 'lxc.group', ['onboot']))).toBe('# mine\nlxc.start.auto = 0\nlxc.tty.max = 5\nlxc.start.auto = 1\nlxc.group = onboot\n');
  });
});

describe('the lxc_config lines of an archive', () => {
  it('passes the lines of a real container', () => {
    expect(checkWith(lxcConfigLinesSchema, read(templateConfig('c1')).unmapped).ok).toBe(true);
  });

  it('refuses line breaks, long lines and too many lines, naming the line', () => {
    const check = (lines: unknown) => checkWith(lxcConfigLinesSchema, lines);
    expect(check(['lxc.tty.max = 5', 'lxc.net.0.link = br0\nlxc.hook.mount = /x'])).toEqual({ ok: false, message: '"[1]" must be one line without control characters' });
    expect(check([`lxc.environment = A=${'x'.repeat(1100)}`])).toEqual({ ok: false, message: '"[0]" must be at most 1024 characters' });
    expect(check(Array.from({ length: MAX_LXC_CONFIG_LINES + 1 }, () => 'lxc.tty.max = 5'))).toEqual({ ok: false, message: 'must have at most 512 lines' });
    expect(check('lxc.tty.max = 5')).toEqual({ ok: false, message: 'must be an array' });
  });
});

describe('the busybox template container', () => {
  const SECURITYFS_BIND = 'lxc.mount.entry = /sys/kernel/security sys/kernel/security none ro,bind,optional 0 0';

  it('reads as no settings but its root filesystem, with every other line kept in order', () => {
    const { settings, unmapped, rootfs } = readLxcConfig(templateConfig('c1'), 'c1');
    const libraryBinds = ['lib', 'usr/lib', 'lib64', 'usr/lib64'].filter((dir) => existsSync(`/${dir}`)).map((dir) => `lxc.mount.entry = /${dir} ${dir} none ro,bind 0 0`);
    expect(rootfs).toEqual({ backend: 'dir', path: join(templates, 'c1', 'rootfs') });
    expect(settings).toEqual({});
    expect(unmapped).toEqual([
      'lxc.net.0.type = veth',
      'lxc.net.0.link = lxcbr0',
      'lxc.net.0.flags = up',
      'lxc.apparmor.profile = generated',
      'lxc.apparmor.allow_nesting = 1',
      'lxc.signal.halt = SIGUSR1',
      'lxc.signal.reboot = SIGTERM',
      'lxc.autodev = 1',
      'lxc.tty.max = 5',
      'lxc.pty.max = 1',
      'lxc.cap.drop = sys_module mac_admin mac_override sys_time',
      'lxc.mount.auto = cgroup:mixed proc:mixed sys:ro',
      'lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0',
      'lxc.mount.entry = mqueue dev/mqueue mqueue defaults,optional,create=dir 0 0',
      ...libraryBinds,
      SECURITYFS_BIND,
    ]);
  });

  it('written back under a new name loses only its bind of the host securityfs, and LXC loads it', () => {
    const original = readLxcConfig(templateConfig('c1'), 'c1');
    const { text, warnings } = writeLxcConfig({ name: 'c2', lxcPath: written, config: original.settings, unmapped: original.unmapped, cgroup: 1 });
    expect(warnings).toEqual([
      `left out "${SECURITYFS_BIND}" of the archive's LXC config: it binds /sys/kernel/security, a path of the host; stevedore takes only read-only binds of /lib, /lib64, /usr/lib, /usr/lib64`,
    ]);
    expect(loadedByLxc(text, 'c2', 'lxc.uts.name')).toBe('c2');
    expect(text).toContain(`\nlxc.rootfs.path = dir:${written}/c2/rootfs\n`);
    expect(loadedByLxc(text, 'c2', 'lxc.rootfs.path')).toBe(`${written}/c2/rootfs`);

    const again = readLxcConfig(text, 'c2');
    const floor = floorEntries(1).map(([key, value]) => `${key} = ${value}`);
    expect(again.settings).toEqual({});
    expect(again.unmapped).toEqual([...floor, ...original.unmapped.filter((line) => line !== SECURITYFS_BIND)]);
    // A config stevedore wrote goes through unchanged, floor and all: nothing is left out, nothing doubles.
    const rewritten = writeLxcConfig({ name: 'c2', lxcPath: written, config: again.settings, unmapped: again.unmapped, cgroup: 1 });
    expect(rewritten).toEqual({ text, warnings: [] });
  });
});

describe('a container made like lxc-download makes one', () => {
  it('reads its architecture, keeps its include, AppArmor and network lines, and is written back without a warning', () => {
    const { settings, unmapped } = readLxcConfig(templateConfig('d1'), 'd1');
    expect(settings).toEqual({ arch: 'amd64' });
    expect(unmapped).toEqual([
      'lxc.include = /usr/share/lxc/config/common.conf',
      'lxc.apparmor.profile = generated',
      'lxc.apparmor.allow_nesting = 1',
      'lxc.net.0.type = veth',
      'lxc.net.0.link = lxcbr0',
      'lxc.net.0.flags = up',
    ]);
    const { text, warnings } = writeLxcConfig({ name: 'd2', lxcPath: written, config: settings, unmapped, cgroup: 2 });
    expect(warnings).toEqual([]);
    expect(loadedByLxc(text, 'd2', 'lxc.arch')).toBe('x86_64');
    expect(readLxcConfig(text, 'd2').unmapped.slice(-unmapped.length)).toEqual(unmapped);
  });
});

describe('the settings an LXC config holds, both ways', () => {
  it('maps LXC architecture names to Debian names, and writes the kernel names', () => {
    const archOf = (name: string) => read(`${ROOTFS}lxc.arch = ${name}\n`).settings.arch;
    expect(['x86_64', 'amd64', 'i686', 'x86', 'aarch64', 'arm64', 'armhf', 'armv7l', 'ppc64le', 's390x', 'riscv64'].map(archOf)).toEqual([
      'amd64',
      'amd64',
      'i386',
      'i386',
      'arm64',
      'arm64',
      'armhf',
      'armhf',
      'ppc64el',
      's390x',
      'riscv64',
    ]);
    expect(['amd64', 'i386', 'arm64', 'armhf', 'ppc64el'].map((arch) => settingLines({ arch }))).toEqual([
      ['lxc.arch = x86_64'],
      ['lxc.arch = i686'],
      ['lxc.arch = aarch64'],
      ['lxc.arch = armv7l'],
      ['lxc.arch = ppc64le'],
    ]);
    expect(read('lxc.arch = linux32\n').unmapped).toEqual(['lxc.arch = linux32']);
    const unknown = write({ arch: 'sparc64' });
    expect(entriesOf(unknown.text).some((line) => line.startsWith('lxc.arch'))).toBe(false);
    expect(unknown.warnings).toEqual([`wrote no lxc.arch: stevedore knows no LXC name for the architecture "sparc64", so LXC runs the container with the host's personality`]);
  });

  it('maps lxc.start.auto to autostart', () => {
    expect(read('lxc.start.auto = 1\n').settings).toEqual({ autostart: true });
    expect(read('lxc.start.auto = 0\n').settings).toEqual({ autostart: false });
    expect(settingLines({ autostart: true })).toEqual(['lxc.start.auto = 1']);
    expect(settingLines({ autostart: false })).toEqual(['lxc.start.auto = 0']);
  });

  it('takes the host name only when it differs from the container name, and writes the name otherwise', () => {
    expect(read('lxc.uts.name = "web"\n').settings).toEqual({});
    expect(read('lxc.uts.name = "www.example.com"\n')).toMatchObject({ settings: { network: { hostname: 'www.example.com' } }, unmapped: [] });
    expect(entriesOf(write({ network: { hostname: 'www.example.com' } }).text)[0]).toBe('lxc.uts.name = www.example.com');
    expect(entriesOf(write({}).text)[0]).toBe('lxc.uts.name = web');
    const smuggled = write({ network: { hostname: 'web\nlxc.hook.start-host = /bin/sh' } });
    expect(entriesOf(smuggled.text)[0]).toBe('lxc.uts.name = web');
    expect(smuggled.text).not.toContain('lxc.hook');
    expect(smuggled.warnings).toEqual(['wrote the name as the host name instead of network.hostname: it contains a line break or control character']);
  });

  it('maps the memory limit of both cgroup versions, keeping "768m" sizes and bytes as stevedore has them', () => {
    expect(read('lxc.cgroup.memory.limit_in_bytes = 768M\n').settings).toEqual({ resource: { limit: { memory: '768m' } } });
    expect(read('lxc.cgroup2.memory.max = 1073741824\n').settings).toEqual({ resource: { limit: { memory: 1073741824 } } });
    expect(read('lxc.cgroup2.memory.max = 2T\n').settings).toEqual({ resource: { limit: { memory: 2 * 1024 ** 4 } } });
    expect(read('lxc.cgroup2.memory.max = max\nlxc.cgroup.memory.limit_in_bytes = -1\n')).toMatchObject({ settings: {}, unmapped: [] });
    // Below stevedore's 64m minimum: kept as it is, for LXC to apply.
    expect(read('lxc.cgroup.memory.limit_in_bytes = 32M\n')).toMatchObject({ settings: {}, unmapped: ['lxc.cgroup.memory.limit_in_bytes = 32M'] });
    expect(settingLines({ resource: { limit: { memory: '768m' } } }, 1)).toEqual(['lxc.cgroup.memory.limit_in_bytes = 768m']);
    expect(settingLines({ resource: { limit: { memory: '1G' } } }, 2)).toEqual(['lxc.cgroup2.memory.max = 1g']);
    expect(settingLines({ resource: { limit: { memory: '100000000b' } } }, 2)).toEqual(['lxc.cgroup2.memory.max = 100000000']);
    expect(settingLines({ resource: { limit: { memory: 134217728 } } }, 1)).toEqual(['lxc.cgroup.memory.limit_in_bytes = 134217728']);
    for (const cgroup of [1, 2] as const) {
      for (const memory of ['768m', 134217728]) expect(read(write({ resource: { limit: { memory } } }, [], cgroup).text).settings.resource).toEqual({ limit: { memory } });
    }
  });

  it('maps cpu.shares to cpuweight, clamped into 2..1024, and cgroup2 weights with the kernel formula', () => {
    expect(read('lxc.cgroup.cpu.shares = 512\n').settings).toEqual({ resource: { limit: { cpuweight: 512 } } });
    expect(read('lxc.cgroup.cpu.shares = 4096\n').settings).toEqual({ resource: { limit: { cpuweight: 1024 } } });
    expect(read('lxc.cgroup2.cpu.weight = 10000\n').settings).toEqual({ resource: { limit: { cpuweight: 1024 } } });
    expect(read('lxc.cgroup2.cpu.weight = 1\n').settings).toEqual({ resource: { limit: { cpuweight: 2 } } });
    expect(read('lxc.cgroup2.cpu.weight = 0\n').unmapped).toEqual(['lxc.cgroup2.cpu.weight = 0']);
    expect([2, 512, 1024].map(weightFromShares)).toEqual([1, 20, 39]);
    expect(settingLines({ resource: { limit: { cpuweight: 512 } } }, 1)).toEqual(['lxc.cgroup.cpu.shares = 512']);
    expect(settingLines({ resource: { limit: { cpuweight: 512 } } }, 2)).toEqual(['lxc.cgroup2.cpu.weight = 20']);
    // Every weight stevedore can hold comes back as it was read; shares land on the weight's step.
    for (let weight = 1; weight <= weightFromShares(1024); weight += 1) {
      const cpuweight = read(`lxc.cgroup2.cpu.weight = ${weight}\n`).settings.resource!.limit!.cpuweight!;
      expect(settingLines({ resource: { limit: { cpuweight } } }, 2)).toEqual([`lxc.cgroup2.cpu.weight = ${weight}`]);
    }
    expect(sharesFromWeight(20)).toBe(501);
  });

  it('maps the CFS quota over its period, and cpu.max, to cputime in milliseconds per second', () => {
    expect(read('lxc.cgroup.cpu.cfs_quota_us = 25000\nlxc.cgroup.cpu.cfs_period_us = 100000\n')).toMatchObject({ settings: { resource: { limit: { cputime: 250 } } }, unmapped: [] });
    expect(read('lxc.cgroup.cpu.cfs_quota_us = 25000\n').settings).toEqual({ resource: { limit: { cputime: 250 } } });
    expect(read('lxc.cgroup.cpu.cfs_quota_us = 10000\nlxc.cgroup.cpu.cfs_period_us = 20000\n').settings).toEqual({ resource: { limit: { cputime: 500 } } });
    expect(read('lxc.cgroup2.cpu.max = 25000 100000\n').settings).toEqual({ resource: { limit: { cputime: 250 } } });
    expect(read('lxc.cgroup2.cpu.max = 50000\n').settings).toEqual({ resource: { limit: { cputime: 500 } } });
    expect(read('lxc.cgroup2.cpu.max = max 100000\nlxc.cgroup.cpu.cfs_quota_us = -1\n')).toMatchObject({ settings: {}, unmapped: [] });
    // Two CPUs' worth is more than cputime can say: kept as it is.
    expect(read('lxc.cgroup2.cpu.max = 200000 100000\n')).toMatchObject({ settings: {}, unmapped: ['lxc.cgroup2.cpu.max = 200000 100000'] });
    expect(settingLines({ resource: { limit: { cputime: 250 } } }, 1)).toEqual(['lxc.cgroup.cpu.cfs_quota_us = 25000', 'lxc.cgroup.cpu.cfs_period_us = 100000']);
    expect(settingLines({ resource: { limit: { cputime: 250 } } }, 2)).toEqual(['lxc.cgroup2.cpu.max = 25000 100000']);
    for (const cgroup of [1, 2] as const) expect(read(write({ resource: { limit: { cputime: 333 } } }, [], cgroup).text).settings.resource).toEqual({ limit: { cputime: 333 } });
  });

  it('takes the cgroup2 limit when a config has both versions, and keeps a v1 line that says otherwise', () => {
    expect(read('lxc.cgroup.memory.limit_in_bytes = 1G\nlxc.cgroup2.memory.max = 1073741824\n')).toMatchObject({ settings: { resource: { limit: { memory: 1073741824 } } }, unmapped: [] });
    expect(read('lxc.cgroup.memory.limit_in_bytes = 2G\nlxc.cgroup2.memory.max = 1G\n')).toMatchObject({
      settings: { resource: { limit: { memory: '1g' } } },
      unmapped: ['lxc.cgroup.memory.limit_in_bytes = 2G'],
    });
  });

  it('writes the host cgroup version: 2 where /sys/fs/cgroup/cgroup.controllers exists', () => {
    const root = join(work, 'cgroup-root');
    mkdirSync(root, { recursive: true });
    expect(hostCgroupVersion(root)).toBe(1);
    writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
    expect(hostCgroupVersion(root)).toBe(2);
  });

  it('maps binds of share folders to volumes, and leaves other mounts as they are', () => {
    const config = [
      ROOTFS,
      'lxc.mount.entry = /share/Public/sub data none bind 0 0\n',
      'lxc.mount.entry = /share/Media /var/lib/lxc/web/rootfs/srv/media none ro,bind,create=dir 0 0\n',
      'lxc.mount.entry = /share/My\\040Files mnt/my\\040files none bind,optional 0 0\n',
      'lxc.mount.entry = /share/Public/sub again none bind 0 0\n',
      'lxc.mount.entry = /share/Backup backup none rbind 0 0\n',
      'lxc.mount.entry = /srv/data data none bind 0 0\n',
      'lxc.mount.entry = /share share none bind 0 0\n',
      'lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0\n',
    ].join('');
    const { settings, unmapped } = read(config);
    expect(settings).toEqual({
      volume: { host: { '/Public/sub': { bind: '/data' }, '/Media': { bind: '/srv/media', ro: true }, '/My Files': { bind: '/mnt/my files' } } },
    });
    expect(unmapped).toEqual([
      'lxc.mount.entry = /share/Public/sub again none bind 0 0',
      'lxc.mount.entry = /share/Backup backup none rbind 0 0',
      'lxc.mount.entry = /srv/data data none bind 0 0',
      'lxc.mount.entry = /share share none bind 0 0',
      'lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0',
    ]);
    expect(read(config, { shareRoot: '/srv' }).settings).toEqual({ volume: { host: { '/data': { bind: '/data' } } } });
    expect(settingLines(settings)).toEqual([
      'lxc.mount.entry = /share/Public/sub data none bind 0 0',
      'lxc.mount.entry = /share/Media srv/media none bind,ro 0 0',
      'lxc.mount.entry = /share/My\\040Files mnt/my\\040files none bind 0 0',
    ]);
    expect(read(write(settings).text).settings).toEqual(settings);
    expect(entriesOf(write(settings, [], 1, '/mnt/shares/').text)).toContain('lxc.mount.entry = /mnt/shares/Public/sub data none bind 0 0');
  });

  it('forgets the mounts a valueless lxc.mount.entry clears', () => {
    expect(read('lxc.mount.entry = /share/A a none bind 0 0\nlxc.mount.entry = shm dev/shm tmpfs defaults 0 0\nlxc.mount.entry =\nlxc.mount.entry = /share/B b none bind 0 0\n')).toMatchObject({
      settings: { volume: { host: { '/B': { bind: '/b' } } } },
      unmapped: ['lxc.mount.entry ='],
    });
  });

  it('maps lxc.environment in order, a valueless line clearing it, and writes one line per variable', () => {
    expect(read('lxc.environment = OLD=1\nlxc.environment =\nlxc.environment = "GREETING=hello world"\nlxc.environment = PATH=/bin\n')).toMatchObject({
      settings: { environment: ['GREETING=hello world', 'PATH=/bin'] },
      unmapped: [],
    });
    const { text, warnings } = write({ environment: ['GREETING=hello world', 'EMPTY=', 'AWS_SECRET_ACCESS_KEY'] });
    expect(entriesOf(text)).toEqual(expect.arrayContaining(['lxc.environment = GREETING=hello world', 'lxc.environment = EMPTY=']));
    expect(text).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(warnings).toEqual([`left out the environment variable "AWS_SECRET_ACCESS_KEY": without "=" LXC hands the container the host's own value of it`]);
    expect(read(text).settings.environment).toEqual(['GREETING=hello world', 'EMPTY=']);
  });

  it('maps lxc.init.cmd to the command, quoting an array so that LXC runs exactly its arguments', () => {
    expect(read('lxc.init.cmd = /sbin/init --log-level=info\n').settings).toEqual({ command: '/sbin/init --log-level=info' });
    const args = ['/bin/sh', '-c', 'echo "hello world"', "it's here", "it's", '', '"a"'];
    const value = loadedByLxc(write({ command: args }).text, 'initcmd', 'lxc.init.cmd');
    expect(value).toBe(`/bin/sh -c 'echo "hello world"' "it's here" it's "" '"a"'`);
    expect(splitInitCmd(value)).toEqual(args);
    expect(splitInitCmd(read(write({ command: args }).text).settings.command as string)).toEqual(args);
    expect(settingLines({ command: '/usr/sbin/nginx -g "daemon off;"' })).toEqual(['lxc.init.cmd = /usr/sbin/nginx -g "daemon off;"']);
    expect(settingLines({ entrypoint: ['/docker-entrypoint.sh'], command: ['nginx', '-g', 'daemon off;'] })).toEqual(['lxc.init.cmd = /docker-entrypoint.sh nginx -g "daemon off;"']);
    const unsayable = write({ command: ['sh', `both "kinds" 'of' quotes`] });
    expect(entriesOf(unsayable.text).some((line) => line.startsWith('lxc.init.cmd'))).toBe(false);
    expect(unsayable.warnings).toEqual(['left out the command: one of its arguments has both kinds of quotes and white space, which lxc.init.cmd cannot say']);
    expect(joinInitCmd(['a b', 'c'])).toBe('"a b" c');
  });

  it('lets the settings win over an archive line of the same key, and keeps the line when the setting is unset', () => {
    const line = 'lxc.cgroup.memory.limit_in_bytes = 32M';
    const overridden = write({ resource: { limit: { memory: '1g' } } }, [line]);
    expect(entriesOf(overridden.text)).not.toContain(line);
    expect(overridden.warnings).toEqual([`left out "${line}" of the archive's LXC config: stevedore writes lxc.cgroup.memory.limit_in_bytes from the container's resource.limit.memory`]);
    expect(entriesOf(write({}, [line]).text)).toContain(line);
  });
});

describe('the root filesystem', () => {
  const rootfsOf = (value: string) => readLxcConfig(`lxc.rootfs.path = ${value}\n`, 'c1').rootfs;

  it('is a directory for dir: and bare paths, taken from the last line', () => {
    expect(rootfsOf('dir:/var/lib/lxc/c1/rootfs')).toEqual({ backend: 'dir', path: '/var/lib/lxc/c1/rootfs' });
    expect(rootfsOf('/srv/c1')).toEqual({ backend: 'dir', path: '/srv/c1' });
    expect(readLxcConfig('lxc.rootfs.path = /old\nlxc.rootfs.path = dir:/new\n', 'c1')).toMatchObject({ rootfs: { path: '/new' }, unmapped: [] });
  });

  it('names the backend stevedore cannot export', () => {
    for (const backend of ['btrfs', 'zfs', 'lvm', 'overlay', 'overlayfs', 'loop', 'nbd', 'rbd']) {
      expect(rootfsOf(`${backend}:/somewhere/c1`)).toEqual({ problem: `the rootfs of c1 is on the ${backend} backend; stevedore exports only dir: root filesystems` });
    }
  });

  it('refuses relative paths, devices, unknown types and a config without a root filesystem', () => {
    expect(rootfsOf('rootfs')).toEqual({
      problem: 'the rootfs path of c1 ("rootfs") is relative, which LXC resolves from the directory lxc-start runs in; stevedore exports only absolute dir: root filesystems',
    });
    expect(rootfsOf('/dev/sdb1')).toEqual({ problem: 'the rootfs of c1 is the device /dev/sdb1; stevedore exports only dir: root filesystems' });
    expect(rootfsOf('tape:/x')).toEqual({ problem: 'the rootfs of c1 names the storage type "tape", which LXC does not have' });
    expect(readLxcConfig('lxc.tty.max = 5\n', 'c1').rootfs).toEqual({ problem: "c1 has no lxc.rootfs.path: it runs on the host's own root filesystem, which stevedore does not export" });
  });
});

describe("the archive's lines a host config gets", () => {
  const DENIED: Array<readonly [string, string]> = [
    ['lxc.hook.pre-start = /usr/local/bin/anything', 'hooks run programs on the host'],
    ['lxc.hook.version = 1', 'hooks run programs on the host'],
    ['lxc.net.0.script.up = /bin/sh', 'network scripts run programs on the host'],
    ['lxc.include = /etc/lxc/extra.conf', "it includes a file outside LXC's own /usr/share/lxc/config/"],
    ['lxc.include = /usr/share/lxc/config/../../../../etc/extra.conf', "it includes a file outside LXC's own /usr/share/lxc/config/"],
    ['lxc.include = /usr/share/lxc/config/userns.conf', 'without the map it lifts the capability and device restrictions'],
    ['lxc.rootfs.path = dir:/', 'stevedore writes the root filesystem settings itself'],
    ['lxc.rootfs.options = idmap=/proc/1/ns/user', 'stevedore writes the root filesystem settings itself'],
    ['lxc.uts.name = other', "stevedore writes the host name from the container's network.hostname"],
    ['lxc.mount.entry = /etc etc none bind 0 0', 'it binds /etc, a path of the host, writable'],
    ['lxc.mount.entry = /lib lib none bind 0 0', 'it binds /lib, a path of the host, writable'],
    ['lxc.mount.entry = /lib lib none ro,rbind 0 0', 'it binds /lib, a path of the host;'],
    ['lxc.mount.entry = /lib lib none ro,bind,rw 0 0', 'it binds /lib, a path of the host, writable'],
    ['lxc.mount.entry = etc mnt none bind 0 0', "its source is a path in the container's root filesystem"],
    ['lxc.mount.entry = dev/null proc/kcore none bind,relative 0 0', 'LXC follows the symbolic links in it, so it can bind any path of the host'],
    ['lxc.mount.entry = tmpfs mnt/created tmpfs create=file 0 0', 'it has LXC create its target'],
    ['lxc.mount.entry = tmpfs srv/cache tmpfs create=dir 0 0', 'stevedore lets it create targets only under dev/'],
    ['lxc.autodev = 0', "/dev is the archive's own directory"],
    ['lxc.mount.entry = LABEL=data mnt ext4 defaults 0 0', 'it mounts a ext4 file system'],
    ['lxc.mount.entry = proc mnt/proc proc rw 0 0', 'it mounts a proc file system'],
    ['lxc.mount.entry = tmpfs /tmp tmpfs defaults 0 0', 'it mounts onto an absolute path'],
    ['lxc.mount.entry = tmpfs ../../etc tmpfs defaults 0 0', 'its target has a ".." segment'],
    ['lxc.mount.entry = data mnt none bind,relative,rshared 0 0', 'it has the mount option "rshared"'],
    ['lxc.mount.entry = data mnt none bind,relative,idmap=container 0 0', 'it has the mount option "idmap=container"'],
    ['lxc.mount.entry = one two', 'it is not an fstab line of 4 to 6 fields'],
    ['lxc.mount.fstab = /var/lib/lxc/c1/fstab', 'it names an fstab file on the host'],
    ['lxc.mount.auto = proc:rw sys:mixed', '"proc:rw" mounts proc read-write'],
    ['lxc.mount.auto = sys:rw', '"sys:rw" mounts sys read-write'],
    ['lxc.mount.auto = cgroup:rw:force', '"cgroup:rw:force" mounts cgroup read-write'],
    ['lxc.mount.auto = cgroup', 'read-write when the container keeps CAP_SYS_ADMIN'],
    ['lxc.mount.auto = cgroup-full:mixed', "binds the host's whole cgroup hierarchies"],
    ['lxc.mount.auto = shmounts:/srv:/mnt', 'shares a directory of the host'],
    ['lxc.cap.keep = sys_admin', 'it keeps the capabilities it lists'],
    ['lxc.cap.drop =', 'it has no value, which clears'],
    ['lxc.cgroup.devices.allow = b 8:* rwm', 'it gives the container access to host devices'],
    ['lxc.cgroup2.devices.allow = a', 'it gives the container access to host devices'],
    ['lxc.cgroup.devices.deny =', 'it has no value, which clears'],
    ['lxc.cgroup.dir = ../../system.slice', "where the container's cgroup lives is the host's decision"],
    ['lxc.cgroup.dir.container = other', "where the container's cgroup lives is the host's decision"],
    ['lxc.cgroup.relative = 1', "where the container's cgroup lives is the host's decision"],
    ['lxc.cgroup2.cgroup.procs = 1', 'it sets a cgroup file other than a limit'],
    ['lxc.cgroup.net_cls.classid = 0x100001', 'it sets a cgroup file other than a limit'],
    ['lxc.cgroup2.cpuset.cpus.partition = root', "it takes CPUs or memory nodes away from the host's other processes"],
    ['lxc.cgroup.cpu.rt_runtime_us = 950000', 'it gives the container real-time CPU time'],
    ['lxc.apparmor.profile = unconfined', "it is not one of LXC's confining profiles"],
    ['lxc.apparmor.profile = unchanged', "it is not one of LXC's confining profiles"],
    ['lxc.apparmor.profile = lxc-container-default-with-mounting', "it is not one of LXC's confining profiles"],
    ['lxc.apparmor.raw = mount,', "it adds rules of its own to the container's AppArmor profile"],
    ['lxc.apparmor.allow_incomplete = 1', "when the kernel cannot enforce the profile's mount rules"],
    ['lxc.selinux.context = unconfined_t', "the SELinux context is the host's policy to choose"],
    ['lxc.selinux.context.keyring = unconfined_t', "the SELinux context is the host's policy to choose"],
    ['lxc.seccomp.profile = /var/lib/lxc/c1/rootfs/allow-all', "one of LXC's own seccomp policies"],
    ['lxc.seccomp.profile =', 'it has no value, which clears'],
    ['lxc.seccomp.notify.proxy = unix:/run/docker.sock', "it hands the container's system calls to a process on the host"],
    ['lxc.net.0.type = phys', 'it moves a network interface of the host into the container'],
    ['lxc.net.0.type = none', "it shares the host's network namespace"],
    ['lxc.net.0.veth.pair = eth0', "it names the host's side of the veth pair"],
    ['lxc.net.0.veth.mode = router', "router mode adds routes and proxy entries to the host's network"],
    ['lxc.net.0.veth.ipv4.route = 0.0.0.0/1', "it adds routes to the host's network"],
    ['lxc.net.0.l2proxy = 1', 'it adds neighbour proxy entries'],
    ['lxc.net.0.veth.vlan.id = 10', "it changes the VLANs of the host's bridge port"],
    ['lxc.namespace.share.net = 1', 'it shares or keeps namespaces of the host'],
    ['lxc.namespace.keep = user net', 'it shares or keeps namespaces of the host'],
    ['lxc.namespace.clone = uts', 'it shares or keeps namespaces of the host'],
    ['lxc.log.file = /etc/cron.d/job', 'it writes to a file on the host'],
    ['lxc.console.logfile = /etc/passwd', 'it writes to or attaches a file or device of the host'],
    ['lxc.console.path = /dev/tty1', 'it writes to or attaches a file or device of the host'],
    ['lxc.console.buffer.size = 64GB', 'LXC allocates the buffer on the host'],
    ['lxc.idmap = u 0 0 65536', "it maps the container's ids onto the host's"],
    ['lxc.environment = AWS_SECRET_ACCESS_KEY', "it hands the container the value of the host's own AWS_SECRET_ACCESS_KEY variable"],
    ['lxc.environment.hooks = LD_PRELOAD=/tmp/x.so', 'lxc.environment.hooks is not a key stevedore takes from an archive'],
    ['lxc.keyring.session = 0', 'it gives the container the session keyring of the process that starts it'],
    ['lxc.monitor.signal.pdeath = 0', "it configures LXC's monitor, which runs on the host"],
    ['lxc.sysctl.kernel.core_pattern = |/bin/sh', "it sets a kernel parameter that is not the container's own"],
    ['lxc.proc.oom_score_adj = -1000', 'an OOM score adjustment from 0 to 1000'],
    ['lxc.proc.setgroups = allow', "it writes a /proc file of the container's init other than oom_score_adj"],
    ['lxc.tty.max = 100000', 'a number of ttys from 0 to 64'],
    ['lxc.network.0.type = veth', 'lxc.network.0.type is not a key stevedore takes from an archive'],
    ['lxc.net.0.link = br0\nlxc.hook.start-host = /bin/sh', 'it contains a line break or control character'],
    ['hook = /bin/sh', 'LXC ignores lines whose key does not start with "lxc."'],
    ['lxc.mount.entry', 'it is not a "key = value" line'],
    ['# lxc.hook.start = /bin/sh', 'it is not a "key = value" line'],
  ];

  it.each(DENIED)('leaves out %j with one warning saying why', (line, reason) => {
    const { text, warnings } = write({}, [line]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`left out ${JSON.stringify(line)} of the archive's LXC config: `);
    expect(warnings[0]).toContain(reason);
    const lines = text.split('\n');
    for (const part of line.split('\n')) expect(lines).not.toContain(part);
  });

  const ALLOWED = [
    'lxc.include = /usr/share/lxc/config/common.conf',
    'lxc.include = /usr/share/lxc/config/nesting.conf',
    'lxc.seccomp.profile = /usr/share/lxc/config/common.seccomp',
    'lxc.apparmor.profile = lxc-container-default-cgns',
    'lxc.apparmor.allow_incomplete = 0',
    'lxc.cap.drop = sys_admin net_raw',
    'lxc.cgroup.cpuset.cpus = 0,1',
    'lxc.cgroup2.pids.max = 512',
    'lxc.cgroup2.io.weight = 50',
    'lxc.cgroup.hugetlb.2MB.limit_in_bytes = 1073741824',
    'lxc.cgroup2.devices.deny = c 10:229 rwm',
    'lxc.cgroup.memory.limit_in_bytes = 32M',
    'lxc.prlimit.nofile = 1024:4096',
    'lxc.sysctl.net.ipv4.ip_forward = 1',
    'lxc.sysctl.kernel.shmmax = 68719476736',
    'lxc.proc.oom_score_adj = 10',
    'lxc.net.0.type = veth',
    'lxc.net.0.name = eth0',
    'lxc.net.0.hwaddr = 00:16:3e:12:34:56',
    'lxc.net.0.mtu = 1500',
    'lxc.net.0.ipv4.address = 10.0.3.5/24',
    'lxc.net.0.ipv4.gateway = auto',
    'lxc.net.1.type = macvlan',
    'lxc.net.1.macvlan.mode = bridge',
    'lxc.net.1.link = eth0',
    'lxc.net.2.type = empty',
    'lxc.mount.auto = proc sys cgroup:ro',
    'lxc.mount.entry = tmpfs dev/hugepages tmpfs create=dir,mode=1770 0 0',
    'lxc.mount.entry = tmpfs tmp tmpfs size=64m,mode=1777,nosuid,nodev 0 0',
    'lxc.mount.entry = devpts dev/pts devpts newinstance,ptmxmode=0666 0 0',
    'lxc.init.cwd = /srv',
    'lxc.init.uid = 1000',
    'lxc.execute.cmd = /bin/true',
    'lxc.signal.stop = SIGKILL',
    'lxc.start.order = 10',
    'lxc.start.delay = 5',
    'lxc.group = onboot',
    'lxc.ephemeral = 0',
    'lxc.no_new_privs = 1',
    'lxc.keyring.session = 1',
    'lxc.log.level = 5',
    'lxc.console.buffer.size = auto',
    'lxc.time.offset.boot = 1h',
    'lxc.tty.dir = lxc',
  ];

  it('writes what keeps the container to itself, and LXC loads all of it', () => {
    const { text, warnings } = write({}, ALLOWED);
    expect(warnings).toEqual([]);
    expect(text.split('\n')).toEqual(expect.arrayContaining(ALLOWED));
    expect(loadedByLxc(text, 'allowed', 'lxc.net.1.link')).toBe('eth0');
  });

  it('starts every config from LXC\'s own capability drops and device allowlist, for the host\'s cgroup version', () => {
    for (const cgroup of [1, 2] as const) {
      const entries = entriesOf(write({}, [], cgroup).text);
      const devices = cgroup === 1 ? 'lxc.cgroup.devices' : 'lxc.cgroup2.devices';
      expect(entries.slice(2)).toEqual([
        'lxc.cap.drop = mac_admin mac_override sys_time sys_module sys_rawio',
        `${devices}.deny = a`,
        ...['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 5:1 rwm', 'c 5:2 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 10:229 rwm'].map((rule) => `${devices}.allow = ${rule}`),
      ]);
    }
    // The floor comes before the archive's lines, which may narrow it but not lift it.
    const entries = entriesOf(write({}, ['lxc.cgroup.devices.deny = c 10:229 rwm']).text);
    expect(entries.at(-1)).toBe('lxc.cgroup.devices.deny = c 10:229 rwm');
  });

  it("takes at most 512 of the archive's lines of at most 1024 characters", () => {
    const many = Array.from({ length: 600 }, (_, index) => `lxc.environment = V${index}=1`);
    const { text, warnings } = write({}, many);
    expect(entriesOf(text).filter((line) => line.startsWith('lxc.environment'))).toHaveLength(512);
    expect(warnings).toEqual(["left out the last 88 lines of the archive's LXC config: stevedore takes at most 512"]);
    const long = `lxc.environment = A=${'x'.repeat(1100)}`;
    expect(write({}, [long]).warnings).toEqual([`left out a line of the archive's LXC config starting "lxc.environment = A=xxxxxxxxxxxxxxxxxxxx": it is longer than 1024 characters`]);
  });

  it('refuses names and paths that are not its own to write', () => {
    expect(() => writeLxcConfig({ name: '../etc', lxcPath: '/var/lib/lxc', config: {}, unmapped: [], cgroup: 2 })).toThrow('"../etc" is not a container name');
    expect(() => writeLxcConfig({ name: 'web', lxcPath: 'var/lib/lxc', config: {}, unmapped: [], cgroup: 2 })).toThrow('the LXC path "var/lib/lxc" is not an absolute path');
    expect(() => readLxcConfig('', 'web', { shareRoot: 'share' })).toThrow('the share root "share" is not an absolute path of proper names');
  });
});
