// `lxc.arch` in LXC's names (lxc_config_parse_arch in src/lxc/confile.c) and the Debian names a
// container's `arch` holds (lib/container/arch.ts). LXC uses the value only to pick the
// process personality (32 or 64 bit), so several of its names mean one architecture.

const DEBIAN_BY_LXC: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  i386: 'i386',
  i486: 'i386',
  i586: 'i386',
  i686: 'i386',
  athlon: 'i386',
  x86: 'i386',
  aarch64: 'arm64',
  arm64: 'arm64',
  armhf: 'armhf',
  armv7l: 'armhf',
  arm: 'armhf',
  armel: 'armel',
  ppc64le: 'ppc64el',
  ppc64el: 'ppc64el',
  ppc64: 'ppc64',
  powerpc64: 'ppc64',
  ppc: 'powerpc',
  powerpc: 'powerpc',
  s390x: 's390x',
  mips: 'mips',
  mipsel: 'mipsel',
  mips64: 'mips64',
  mips64el: 'mips64el',
  riscv64: 'riscv64',
  loongarch64: 'loong64',
  loong64: 'loong64',
};

/**
 * The name written for each Debian name: the kernel's own (`uname -m`), as LXC's images use.
 * loong64 has none here: LXC 5.0 does not know its names and would refuse the whole config, and
 * a 64-bit container needs no personality of its own.
 */
const LXC_BY_DEBIAN: Record<string, string> = {
  amd64: 'x86_64',
  i386: 'i686',
  arm64: 'aarch64',
  armhf: 'armv7l',
  armel: 'armel',
  ppc64el: 'ppc64le',
  ppc64: 'ppc64',
  powerpc: 'ppc',
  s390x: 's390x',
  mips: 'mips',
  mipsel: 'mipsel',
  mips64: 'mips64',
  mips64el: 'mips64el',
  riscv64: 'riscv64',
};

/** LXC's names that are a personality rather than an architecture. */
const PERSONALITIES = new Set(['linux32', 'linux64']);

export function debianArch(lxcArch: string): string | undefined {
  return Object.hasOwn(DEBIAN_BY_LXC, lxcArch) ? DEBIAN_BY_LXC[lxcArch] : undefined;
}

export function lxcArch(debianName: string): string | undefined {
  return Object.hasOwn(LXC_BY_DEBIAN, debianName) ? LXC_BY_DEBIAN[debianName] : undefined;
}

/** Whether LXC accepts the name as `lxc.arch`. */
export function isLxcArchName(name: string): boolean {
  return Object.hasOwn(DEBIAN_BY_LXC, name) || PERSONALITIES.has(name);
}
