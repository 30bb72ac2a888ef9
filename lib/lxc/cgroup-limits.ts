// stevedore's CPU and memory limits in the two cgroup versions' own terms. LXC sets
// `lxc.cgroup.*` keys only on a host with the legacy (v1) hierarchies and `lxc.cgroup2.*` keys
// only on a unified (v2) host, so a config carries the limits of the version its host uses.
import { existsSync } from 'node:fs';

export type CgroupVersion = 1 | 2;

/** A unified (v2) host mounts a cgroup2 root that lists its controllers; a legacy host does not. */
export function hostCgroupVersion(cgroupRoot = '/sys/fs/cgroup'): CgroupVersion {
  return existsSync(`${cgroupRoot}/cgroup.controllers`) ? 2 : 1;
}

export const CGROUP_KEYS = {
  memory: { 1: 'lxc.cgroup.memory.limit_in_bytes', 2: 'lxc.cgroup2.memory.max' },
  cpuWeight: { 1: 'lxc.cgroup.cpu.shares', 2: 'lxc.cgroup2.cpu.weight' },
  cfsQuota: 'lxc.cgroup.cpu.cfs_quota_us',
  cfsPeriod: 'lxc.cgroup.cpu.cfs_period_us',
  cpuMax: 'lxc.cgroup2.cpu.max',
} as const;

/** A limit read from a cgroup value: a number, no limit at all, or nothing stevedore understands. */
export type CgroupLimit = { limit: number } | 'unlimited' | undefined;

// The kernel's memparse() suffixes, case-insensitive.
const MEMPARSE_UNITS: Record<string, bigint> = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n, p: 1n << 50n, e: 1n << 60n };

/** Bytes of `memory.limit_in_bytes` (-1: none) or `memory.max` ("max": none). */
export function parseMemoryLimit(value: string, version: CgroupVersion): CgroupLimit {
  if (value === (version === 1 ? '-1' : 'max')) return 'unlimited';
  const match = /^(\d{1,20})([kmgtpe]?)$/i.exec(value);
  if (!match) return undefined;
  const bytes = BigInt(match[1]!) * MEMPARSE_UNITS[match[2]!.toLowerCase()]!;
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? { limit: Number(bytes) } : undefined;
}

/**
 * cgroup v2's cpu.weight (1..10000) for cgroup v1's cpu.shares (2..262144), with the formula
 * the kernel documentation, runc and crun use. Both are relative; they differ in scale.
 */
export function weightFromShares(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/**
 * The fewest shares that give this weight. The weight has a 26th of the shares' resolution, so
 * no inverse is exact; this one is the inverse the formula above keeps: a weight read and
 * written again comes out the same.
 */
export function sharesFromWeight(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262142) / 9999);
}

export const DEFAULT_CFS_PERIOD_US = 100_000;

/** Milliseconds of CPU per second for a CFS quota over its period (both in microseconds). */
export function cpuMillisFromQuota(quotaUs: number, periodUs: number): number {
  return Math.round((quotaUs * 1000) / periodUs);
}

/** `cpu.max`: "<quota|max> [period]". */
export function parseCpuMax(value: string): { quotaUs: number | 'max'; periodUs: number } | undefined {
  const match = /^(max|\d{1,12})(?:[ \t]+(\d{1,12}))?$/.exec(value);
  if (!match) return undefined;
  const periodUs = match[2] === undefined ? DEFAULT_CFS_PERIOD_US : Number(match[2]);
  if (periodUs === 0) return undefined;
  return { quotaUs: match[1] === 'max' ? 'max' : Number(match[1]), periodUs };
}

export function parseUnsigned(value: string): number | undefined {
  return /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}
