// An LXC container's config (`<lxcpath>/<name>/config`) and stevedore's container config, both
// ways. Reading takes the settings stevedore has a field for and keeps every other line as it
// is (`unmapped`), so that an export carries them in the archive (config.json's `lxc_config`);
// writing makes the config of a new container from stevedore's settings and those lines, of
// which it writes only what the policy (./config-policy.ts) lets through.
//
// LXC applies a config's lines in order: for a single-valued key the last line wins, a list key
// (lxc.environment, lxc.mount.entry) adds a value per line, and a list key with no value clears
// it. Reading follows the same rules.
import type { ContainerConfig } from '../container/model.ts';
import { CONTAINER_NAME_RULE, memoryBytes, networkSchema, resourceSchema, type Network, type Resource } from '../container/schema.ts';
import { InvalidInput } from '../errors.ts';
import { nameProblem } from '../names.ts';
import { quoteBounded } from '../quote.ts';
import { debianArch, lxcArch } from './arch-names.ts';
import {
  CGROUP_KEYS,
  DEFAULT_CFS_PERIOD_US,
  cpuMillisFromQuota,
  parseCpuMax,
  parseMemoryLimit,
  parseUnsigned,
  sharesFromWeight,
  weightFromShares,
  type CgroupVersion,
} from './cgroup-limits.ts';
import {
  MAX_LXC_CONFIG_LINES,
  MAX_LXC_CONFIG_LINE_CHARS,
  entryLine,
  hasControlCharacters,
  parseLxcConfig,
  parseLxcLine,
  serializeLxcConfig,
  type LxcConfigLine,
} from './config-file.ts';
import { floorEntries, isFloorEntry, judgeArchiveLine } from './config-policy.ts';
import { joinInitCmd } from './init-cmd.ts';
import { formatMountEntry, isReadOnly, parseMountEntry, type MountEntry } from './mount-entry.ts';

export { lxcConfigLinesSchema, MAX_LXC_CONFIG_LINES, MAX_LXC_CONFIG_LINE_CHARS } from './config-file.ts';
export type { CgroupVersion } from './cgroup-limits.ts';

type ResourceLimit = NonNullable<Resource['limit']>;

/** The part of a container's config that an LXC config can say. */
export type LxcSettings = Partial<Pick<ContainerConfig, 'arch' | 'autostart' | 'environment' | 'command' | 'entrypoint' | 'volume'>> & {
  network?: Pick<Network, 'hostname'>;
  resource?: { limit?: ResourceLimit };
};

export interface LxcConfigRead {
  settings: LxcSettings;
  /** The `key = value` lines the settings do not hold, in order, as the file has them (trimmed). */
  unmapped: string[];
  rootfs: { backend: 'dir'; path: string } | { problem: string };
}

/** Where the host's share folders are: `/share/Public/sub` is the share path `/Public/sub`. */
export const DEFAULT_SHARE_ROOT = '/share';

// --- reading -------------------------------------------------------------------------------

interface Entry {
  index: number;
  key: string;
  value: string;
  raw: string;
}

/** The entries of one key, in order, and the value LXC ends up with: the last one's. */
interface KeyLines {
  indexes: number[];
  value: string;
}

/**
 * The settings an LXC config gives a container named `name` (its directory's name), and the
 * lines they do not hold. Bind mounts of share folders under `shareRoot` are its volumes.
 */
export function readLxcConfig(text: string, name: string, { shareRoot = DEFAULT_SHARE_ROOT }: { shareRoot?: string } = {}): LxcConfigRead {
  const root = checkedShareRoot(shareRoot);
  const entries: Entry[] = [];
  const others: Array<{ index: number; raw: string }> = [];
  parseLxcConfig(text).forEach((line, index) => {
    if (line.kind === 'entry') entries.push({ index, key: line.key, value: line.value, raw: line.raw.trim() });
    else if (line.kind === 'invalid') others.push({ index, raw: line.raw.trim() });
  });
  const taken = new Set<number>();
  const linesOf = (key: string): KeyLines | undefined => {
    const mine = entries.filter((entry) => entry.key === key);
    return mine.length === 0 ? undefined : { indexes: mine.map((entry) => entry.index), value: mine.at(-1)!.value };
  };
  const take = (lines: KeyLines | undefined) => lines?.indexes.forEach((index) => taken.add(index));

  const settings: LxcSettings = {};

  const rootfsLines = linesOf('lxc.rootfs.path');
  take(rootfsLines);
  const rootfs = rootfsOf(rootfsLines?.value ?? '', name);

  // A host name stevedore's schema refuses (LXC takes any string) is not one network.hostname can hold.
  const utsName = linesOf('lxc.uts.name');
  take(utsName);
  if (utsName && utsName.value !== name && networkSchema.safeParse({ hostname: utsName.value }).success) settings.network = { hostname: utsName.value };

  const arch = linesOf('lxc.arch');
  const debian = arch && debianArch(arch.value);
  if (debian) {
    take(arch);
    settings.arch = debian;
  }

  const autostart = linesOf('lxc.start.auto');
  if (autostart && ['0', '1'].includes(autostart.value)) {
    take(autostart);
    settings.autostart = autostart.value === '1';
  }

  const environment = entries.filter((entry) => entry.key === 'lxc.environment');
  environment.forEach((entry) => taken.add(entry.index));
  const variables = environment.reduce<string[]>((list, entry) => (entry.value === '' ? [] : [...list, entry.value]), []);
  if (variables.length > 0) settings.environment = variables;

  const initCmd = linesOf('lxc.init.cmd');
  take(initCmd);
  if (initCmd && initCmd.value !== '') settings.command = initCmd.value;

  const limit: ResourceLimit = {};
  const memory = pickLimit(memorySource(linesOf(CGROUP_KEYS.memory[1]), 1), memorySource(linesOf(CGROUP_KEYS.memory[2]), 2), (a, b) => memoryBytes(a) === memoryBytes(b));
  const cpuweight = pickLimit(sharesSource(linesOf(CGROUP_KEYS.cpuWeight[1])), weightSource(linesOf(CGROUP_KEYS.cpuWeight[2])), Object.is);
  const cputime = pickLimit(quotaSource(linesOf(CGROUP_KEYS.cfsQuota), linesOf(CGROUP_KEYS.cfsPeriod)), cpuMaxSource(linesOf(CGROUP_KEYS.cpuMax)), Object.is);
  for (const picked of [memory, cpuweight, cputime]) picked.indexes.forEach((index) => taken.add(index));
  if (memory.value !== undefined) limit.memory = memory.value;
  if (cpuweight.value !== undefined) limit.cpuweight = cpuweight.value;
  if (cputime.value !== undefined) limit.cputime = cputime.value;
  if (Object.keys(limit).length > 0) settings.resource = { limit };

  const rootfsPath = 'path' in rootfs ? rootfs.path : undefined;
  const volumes = readVolumes(
    entries.filter((entry) => entry.key === 'lxc.mount.entry'),
    root,
    rootfsPath,
  );
  volumes.taken.forEach((index) => taken.add(index));
  if (Object.keys(volumes.host).length > 0) settings.volume = { host: volumes.host };

  const unmapped = [...entries.filter((entry) => !taken.has(entry.index)), ...others].sort((a, b) => a.index - b.index).map((line) => line.raw);
  return { settings, unmapped, rootfs };
}

const STORAGE_BACKENDS = new Set(['dir', 'btrfs', 'zfs', 'lvm', 'overlay', 'overlayfs', 'loop', 'nbd', 'rbd']);

/** LXC splits `lxc.rootfs.path` at its first ":" into a storage type and a path. */
function rootfsOf(value: string, name: string): LxcConfigRead['rootfs'] {
  if (value === '') return { problem: `${name} has no lxc.rootfs.path: it runs on the host's own root filesystem, which stevedore does not export` };
  const colon = value.indexOf(':');
  const backend = colon < 0 ? undefined : value.slice(0, colon);
  const path = colon < 0 ? value : value.slice(colon + 1);
  if (backend !== undefined && !STORAGE_BACKENDS.has(backend)) {
    return { problem: `the rootfs of ${name} names the storage type "${quoteBounded(backend)}", which LXC does not have` };
  }
  if (backend !== undefined && backend !== 'dir') return { problem: `the rootfs of ${name} is on the ${backend} backend; stevedore exports only dir: root filesystems` };
  // liblxc opens a relative path from where lxc-start runs ("/" once it daemonizes), not from the
  // container's directory: stevedore cannot know which directory that was.
  if (!path.startsWith('/')) {
    return { problem: `the rootfs path of ${name} ("${quoteBounded(path)}") is relative, which LXC resolves from the directory lxc-start runs in; stevedore exports only absolute dir: root filesystems` };
  }
  // A bare path is a directory unless it is a device (LXC then detects a block device backend).
  if (backend === undefined && path.startsWith('/dev/')) return { problem: `the rootfs of ${name} is the device ${quoteBounded(path)}; stevedore exports only dir: root filesystems` };
  return { backend: 'dir', path };
}

/** A limit as one cgroup version's lines give it: `value` undefined when stevedore cannot say it. */
interface LimitSource<T> {
  indexes: number[];
  value: T | 'unlimited' | undefined;
}

/**
 * One limit from the lines of both cgroup versions. A config may carry both (LXC applies the
 * host's); the v2 lines win, and the v1 lines are taken too when they say the same, otherwise
 * kept as they are. Lines stevedore cannot say are kept too; "no limit" is no setting.
 */
function pickLimit<T>(v1: LimitSource<T> | undefined, v2: LimitSource<T> | undefined, same: (a: T, b: T) => boolean): { value?: T; indexes: number[] } {
  const [first, second] = v2?.value !== undefined ? [v2, v1] : [v1, undefined];
  if (first?.value === undefined) return { indexes: [] };
  const agrees = second?.value !== undefined && (second.value === first.value || (second.value !== 'unlimited' && first.value !== 'unlimited' && same(first.value, second.value)));
  const indexes = [...first.indexes, ...(agrees ? second!.indexes : [])];
  return first.value === 'unlimited' ? { indexes } : { value: first.value, indexes };
}

const isLimitValue = (limit: Partial<ResourceLimit>) => resourceSchema.safeParse({ limit }).success;

/** stevedore keeps `768m` as the kernel's `768M` and a number of bytes as a number. */
function memorySource(lines: KeyLines | undefined, version: CgroupVersion): LimitSource<string | number> | undefined {
  if (!lines) return undefined;
  const parsed = parseMemoryLimit(lines.value, version);
  if (parsed === undefined || parsed === 'unlimited') return { indexes: lines.indexes, value: parsed };
  const suffixed = /^(\d+)([kmg])$/i.exec(lines.value);
  const memory = suffixed && memoryBytes(lines.value.toLowerCase()) === parsed.limit ? lines.value.toLowerCase() : parsed.limit;
  return { indexes: lines.indexes, value: isLimitValue({ memory }) ? memory : undefined };
}

const clampWeight = (shares: number) => Math.min(1024, Math.max(2, shares));

function sharesSource(lines: KeyLines | undefined): LimitSource<number> | undefined {
  if (!lines) return undefined;
  const shares = parseUnsigned(lines.value);
  return { indexes: lines.indexes, value: shares === undefined ? undefined : clampWeight(shares) };
}

function weightSource(lines: KeyLines | undefined): LimitSource<number> | undefined {
  if (!lines) return undefined;
  const weight = parseUnsigned(lines.value);
  return { indexes: lines.indexes, value: weight === undefined || weight < 1 || weight > 10000 ? undefined : clampWeight(sharesFromWeight(weight)) };
}

function cputimeValue(quotaUs: number, periodUs: number): number | undefined {
  const cputime = cpuMillisFromQuota(quotaUs, periodUs);
  return isLimitValue({ cputime }) ? cputime : undefined;
}

function quotaSource(quota: KeyLines | undefined, period: KeyLines | undefined): LimitSource<number> | undefined {
  if (!quota) return undefined;
  const indexes = [...quota.indexes, ...(period?.indexes ?? [])];
  if (quota.value === '-1') return { indexes, value: 'unlimited' };
  const quotaUs = parseUnsigned(quota.value);
  const periodUs = period ? parseUnsigned(period.value) : DEFAULT_CFS_PERIOD_US;
  return { indexes, value: quotaUs === undefined || !periodUs ? undefined : cputimeValue(quotaUs, periodUs) };
}

function cpuMaxSource(lines: KeyLines | undefined): LimitSource<number> | undefined {
  if (!lines) return undefined;
  const parsed = parseCpuMax(lines.value);
  if (!parsed) return { indexes: lines.indexes, value: undefined };
  return { indexes: lines.indexes, value: parsed.quotaUs === 'max' ? 'unlimited' : cputimeValue(parsed.quotaUs, parsed.periodUs) };
}

type VolumeHost = NonNullable<NonNullable<ContainerConfig['volume']>['host']>;

/** Mount options a share bind may have and still be a volume (what the writer writes, and `optional`). */
const VOLUME_BIND_OPTIONS = new Set(['bind', 'ro', 'rw', 'create=dir', 'optional', 'defaults']);

/** The share folder binds among the mount entries; one volume per share path, as stevedore has them. */
function readVolumes(mounts: Entry[], shareRoot: string, rootfsPath: string | undefined): { host: VolumeHost; taken: number[] } {
  let host: VolumeHost = {};
  let taken: number[] = [];
  const seen: number[] = [];
  for (const mount of mounts) {
    if (mount.value === '') {
      // Clears every entry so far (and the included configs' ones): the line itself stays unmapped.
      host = {};
      taken = [...seen];
      continue;
    }
    seen.push(mount.index);
    const entry = parseMountEntry(mount.value);
    const volume = entry && shareBind(entry, shareRoot, rootfsPath);
    if (volume && !Object.hasOwn(host, volume.share)) {
      host[volume.share] = volume.ro ? { bind: volume.bind, ro: true } : { bind: volume.bind };
      taken.push(mount.index);
    }
  }
  return { host, taken };
}

function shareBind(entry: MountEntry, shareRoot: string, rootfsPath: string | undefined): { share: string; bind: string; ro: boolean } | undefined {
  if (!entry.options.includes('bind') || entry.options.some((option) => !VOLUME_BIND_OPTIONS.has(option))) return undefined;
  if (!entry.source.startsWith(`${shareRoot}/`)) return undefined;
  const share = properSegments(entry.source.slice(shareRoot.length + 1));
  const insideRootfs = rootfsPath !== undefined && entry.target.startsWith(`${rootfsPath.replace(/\/+$/, '')}/`) ? entry.target.slice(rootfsPath.replace(/\/+$/, '').length + 1) : entry.target;
  const target = insideRootfs.startsWith('/') ? undefined : properSegments(insideRootfs);
  if (!share || !target) return undefined;
  return { share: `/${share.join('/')}`, bind: `/${target.join('/')}`, ro: isReadOnly(entry.options) };
}

/** A relative path's segments when each is a proper name (as share paths and volume binds must be). */
function properSegments(path: string): string[] | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  return segments.every((segment) => nameProblem(segment) === undefined) ? segments : undefined;
}

function checkedShareRoot(shareRoot: string): string {
  const root = shareRoot.replace(/(.)\/+$/, '$1');
  if (!root.startsWith('/') || (root !== '/' && properSegments(root.slice(1)) === undefined)) {
    throw new InvalidInput(`the share root ${JSON.stringify(quoteBounded(shareRoot))} is not an absolute path of proper names`);
  }
  return root === '/' ? '' : root;
}

// --- writing -------------------------------------------------------------------------------

export interface LxcConfigToWrite {
  /** The container's name: its directory under `lxcPath`, and the host name unless network.hostname says otherwise. */
  name: string;
  lxcPath: string;
  config: LxcSettings;
  /** The lines an archive carried (`lxc_config`), untrusted. */
  unmapped: readonly string[];
  /**
   * The cgroup version of the host the container runs on, whose keys the limits are written
   * with: 2 when `/sys/fs/cgroup/cgroup.controllers` exists (hostCgroupVersion() in
   * ./cgroup-limits.ts), else 1. LXC ignores the other version's keys.
   */
  cgroup: CgroupVersion;
  shareRoot?: string;
}

/** Keys the writer writes from a setting: an archive's line of one yields to the setting when it is set. */
const WRITTEN_FROM: ReadonlyArray<readonly [RegExp, string, (config: LxcSettings) => unknown]> = [
  [/^lxc\.arch$/, 'arch', (config) => config.arch],
  [/^lxc\.start\.auto$/, 'autostart', (config) => config.autostart],
  [/^lxc\.environment$/, 'environment', (config) => config.environment],
  [/^lxc\.init\.cmd$/, 'command', (config) => config.command ?? config.entrypoint],
  [/^lxc\.cgroup2?\.memory\.(?:limit_in_bytes|max)$/, 'resource.limit.memory', (config) => config.resource?.limit?.memory],
  [/^lxc\.cgroup2?\.cpu\.(?:shares|weight)$/, 'resource.limit.cpuweight', (config) => config.resource?.limit?.cpuweight],
  [/^lxc\.cgroup2?\.cpu\.(?:cfs_quota_us|cfs_period_us|max)$/, 'resource.limit.cputime', (config) => config.resource?.limit?.cputime],
];

/**
 * The config of a new LXC container: a header, its name and root filesystem
 * (`dir:<lxcPath>/<name>/rootfs`), its settings, the floor of restrictions every container
 * gets, then the archive's lines the policy lets through. Each line left out, and each setting
 * LXC cannot say, is one warning.
 */
export function writeLxcConfig(input: LxcConfigToWrite): { text: string; warnings: string[] } {
  const { name, config, cgroup } = input;
  if (!CONTAINER_NAME_RULE.test(name)) throw new InvalidInput(`${JSON.stringify(quoteBounded(name))} is not a container name`);
  const lxcPath = input.lxcPath.replace(/(.)\/+$/, '$1');
  if (!lxcPath.startsWith('/') || hasControlCharacters(lxcPath) || lxcPath.split('/').includes('..')) {
    throw new InvalidInput(`the LXC path ${JSON.stringify(quoteBounded(input.lxcPath))} is not an absolute path`);
  }
  const shareRoot = checkedShareRoot(input.shareRoot ?? DEFAULT_SHARE_ROOT);
  const warnings: string[] = [];
  const lines: LxcConfigLine[] = [
    comment(`# Written by stevedore for the container ${name}: its settings, the restrictions stevedore gives`),
    comment('# every container (LXC\'s own, from common.conf), then the lines its archive carried that'),
    comment("# stevedore's policy lets through. See lxc.container.conf(5)."),
  ];
  const add = (key: string, value: string, field: string) => {
    if (hasControlCharacters(value)) warnings.push(`left out ${field}: it contains a line break or control character`);
    else lines.push(entryLine(key, value));
  };

  const hostname = config.network?.hostname;
  if (hostname !== undefined && hasControlCharacters(hostname)) warnings.push('wrote the name as the host name instead of network.hostname: it contains a line break or control character');
  lines.push(entryLine('lxc.uts.name', hostname !== undefined && !hasControlCharacters(hostname) ? hostname : name));
  lines.push(entryLine('lxc.rootfs.path', `dir:${lxcPath === '/' ? '' : lxcPath}/${name}/rootfs`));
  if (config.arch !== undefined) {
    const arch = lxcArch(config.arch);
    if (arch) add('lxc.arch', arch, 'arch');
    else warnings.push(`wrote no lxc.arch: stevedore knows no LXC name for the architecture ${JSON.stringify(quoteBounded(config.arch))}, so LXC runs the container with the host's personality`);
  }
  if (config.autostart !== undefined) add('lxc.start.auto', config.autostart ? '1' : '0', 'autostart');
  writeLimits(config.resource?.limit ?? {}, cgroup, add, warnings);
  writeVolumes(config.volume?.host ?? {}, shareRoot, add, warnings);
  for (const variable of config.environment ?? []) {
    if (!variable.includes('=')) warnings.push(`left out the environment variable ${JSON.stringify(quoteBounded(variable))}: without "=" LXC hands the container the host's own value of it`);
    else add('lxc.environment', variable, `the environment variable ${JSON.stringify(quoteBounded(variable.split('=')[0]!))}`);
  }
  writeInitCmd(config, add, warnings);

  lines.push(comment('# The restrictions stevedore gives every container'));
  const floor = floorEntries(cgroup).map(([key, value]) => entryLine(key, value));
  lines.push(...floor);

  const carried = carriedLines(input.unmapped, config, warnings);
  if (carried.length > 0) lines.push(comment("# Carried over from the container's archive"), ...carried);
  return { text: serializeLxcConfig(lines), warnings };
}

const comment = (raw: string): LxcConfigLine => ({ kind: 'comment', raw });

type Add = (key: string, value: string, field: string) => void;

/** The kernel takes "768m" and bytes; stevedore's "100b" is written as bytes. */
function kernelMemory(memory: string | number): string | undefined {
  const bytes = memoryBytes(memory);
  if (bytes === undefined) return undefined;
  return typeof memory === 'string' && /^\d+[kmg]$/i.test(memory) ? memory.toLowerCase() : String(bytes);
}

function writeLimits(limit: ResourceLimit, cgroup: CgroupVersion, add: Add, warnings: string[]): void {
  if (limit.memory !== undefined) {
    const memory = kernelMemory(limit.memory);
    if (memory === undefined) warnings.push(`left out resource.limit.memory: ${JSON.stringify(quoteBounded(String(limit.memory)))} is not a size`);
    else add(CGROUP_KEYS.memory[cgroup], memory, 'resource.limit.memory');
  }
  if (limit.cpuweight !== undefined) {
    if (cgroup === 1) add(CGROUP_KEYS.cpuWeight[1], String(limit.cpuweight), 'resource.limit.cpuweight');
    else add(CGROUP_KEYS.cpuWeight[2], String(weightFromShares(limit.cpuweight)), 'resource.limit.cpuweight');
  }
  if (limit.cputime !== undefined) {
    // Milliseconds per second as microseconds per LXC's default 100 ms period.
    const quotaUs = limit.cputime * (DEFAULT_CFS_PERIOD_US / 1000);
    if (cgroup === 1) {
      add(CGROUP_KEYS.cfsQuota, String(quotaUs), 'resource.limit.cputime');
      add(CGROUP_KEYS.cfsPeriod, String(DEFAULT_CFS_PERIOD_US), 'resource.limit.cputime');
    } else add(CGROUP_KEYS.cpuMax, `${quotaUs} ${DEFAULT_CFS_PERIOD_US}`, 'resource.limit.cputime');
  }
}

function writeVolumes(host: VolumeHost, shareRoot: string, add: Add, warnings: string[]): void {
  for (const [share, { bind, ro }] of Object.entries(host)) {
    const source = properSegments(share.replace(/^\//, ''));
    const target = bind.startsWith('/') ? properSegments(bind.slice(1)) : undefined;
    if (!source || !target) {
      warnings.push(`left out the volume ${JSON.stringify(quoteBounded(share))}: its share path or bind is not a path of proper names`);
      continue;
    }
    // No create=dir: LXC would make a missing target following the archive's symbolic links (./config-policy.ts).
    const options = ['bind', ...(ro ? ['ro'] : [])];
    add('lxc.mount.entry', formatMountEntry({ source: `${shareRoot}/${source.join('/')}`, target: target.join('/'), fstype: 'none', options }), `the volume ${JSON.stringify(quoteBounded(share))}`);
  }
}

/** LXC has one init command: an entrypoint runs with the command as its arguments, as Docker runs them. */
function writeInitCmd(config: LxcSettings, add: Add, warnings: string[]): void {
  const parts = [config.entrypoint, config.command].filter((part) => part !== undefined);
  const said = parts.map((part) => (typeof part === 'string' ? part : joinInitCmd(part)));
  if (said.some((part) => part === undefined)) {
    warnings.push('left out the command: one of its arguments has both kinds of quotes and white space, which lxc.init.cmd cannot say');
    return;
  }
  const value = said.filter((part) => part !== '').join(' ');
  if (value !== '') add('lxc.init.cmd', value, 'the command');
}

/** The archive's lines the policy lets through, each line left out being one warning. */
function carriedLines(unmapped: readonly string[], config: LxcSettings, warnings: string[]): LxcConfigLine[] {
  const carried: LxcConfigLine[] = [];
  for (const line of unmapped.slice(0, MAX_LXC_CONFIG_LINES)) {
    if (line.length > MAX_LXC_CONFIG_LINE_CHARS) {
      warnings.push(`left out a line of the archive's LXC config starting ${JSON.stringify(line.slice(0, 40))}: it is longer than ${MAX_LXC_CONFIG_LINE_CHARS} characters`);
      continue;
    }
    // The floor, read back from a config stevedore wrote: written above already.
    const parsed = parseLxcLine(line);
    if (parsed.kind === 'entry' && !hasControlCharacters(line) && isFloorEntry(parsed)) continue;
    const verdict = judgeArchiveLine(line);
    const setting = verdict.allowed ? WRITTEN_FROM.find(([keys, , value]) => keys.test(verdict.entry.key) && value(config) !== undefined) : undefined;
    if (!verdict.allowed) warnings.push(`left out ${JSON.stringify(quoteBounded(line))} of the archive's LXC config: ${verdict.reason}`);
    else if (setting) warnings.push(`left out ${JSON.stringify(quoteBounded(line))} of the archive's LXC config: stevedore writes ${verdict.entry.key} from the container's ${setting[1]}`);
    else carried.push({ ...verdict.entry, raw: verdict.entry.raw.trim() });
  }
  if (unmapped.length > MAX_LXC_CONFIG_LINES) {
    warnings.push(`left out the last ${unmapped.length - MAX_LXC_CONFIG_LINES} lines of the archive's LXC config: stevedore takes at most ${MAX_LXC_CONFIG_LINES}`);
  }
  return carried;
}
