// Which of an archive's LXC config lines stevedore writes into a host's config. The lines come
// from an untrusted archive, and LXC reads the config as root: hooks and network scripts run on
// the host, mounts and includes reach host files, and capabilities, device rules, namespaces
// and security profiles decide whether root in the container is root on the host.
//
// The policy is an allowlist. A line is written only when its key belongs to a family below
// that was reasoned safe, and its value passes that family's check; everything else is left
// out with a reason. A denylist would have to know every key of every LXC release, and a key
// added later (lxc.environment.hooks, lxc.seccomp.notify.proxy came late) would pass by
// default; with an allowlist a new key is refused until someone has thought about it. The
// families cover what LXC's own templates write (lxc-busybox, and lxc-download's
// `lxc.include` of /usr/share/lxc/config/common.conf, lxc.arch, AppArmor and network lines);
// the one busybox line refused is its read-only bind of /sys/kernel/security: securityfs is
// not a library directory the container's programs need, only the host's AppArmor policy,
// integrity measurements and TPM event log, and the bind is `optional`, so the container
// starts the same without it.
//
// What an archive may set: the container's own environment, init, signals, ttys, autostart
// order, personality, time namespace offsets, namespaced sysctls, its own resource limits
// (rlimits and the CPU, memory, I/O, pids and huge page controllers), capability drops and
// device denials (which only take away), its network interfaces (veth, macvlan, ipvlan, vlan,
// or none), LXC's container AppArmor profiles and seccomp policy, includes of LXC's own
// configs, tmpfs, mqueue and devpts mounts, and the read-only binds of the host's library
// directories LXC's busybox template makes.
//
// The archive also made the root filesystem those mounts go into, symbolic links and all.
// liblxc refuses a mount target with a link in it, but it follows links in a bind's source
// inside the root filesystem (`relative`), and in the path it creates for `create=dir` and
// `create=file`: such a bind can mount host /etc into the container, and such a target can
// create files on the host (both tried with LXC 5.0). So binds from inside the container are
// refused, and targets are created only under dev/, the tmpfs LXC mounts there itself.
//
// What it may not set, with the reason each warning gives: anything that runs a program on the
// host (lxc.hook.*, lxc.net.N.script.*), names or writes a host file (lxc.include elsewhere,
// lxc.mount.fstab, lxc.log.file, lxc.console.logfile/path, lxc.seccomp.profile elsewhere), binds
// a path (of the host, or of the root filesystem, see above), mounts proc, sys or cgroups
// read-write or other file systems, turns off LXC's own /dev (lxc.autodev), gives capabilities
// or devices back (lxc.cap.keep, devices.allow), shares the host's namespaces
// (lxc.namespace.*, lxc.net.N.type = none or phys), loosens confinement (AppArmor unconfined,
// raw rules or incomplete profiles, SELinux contexts, seccomp notify proxies, the session
// keyring of the starting process), changes the host's network (host routes, proxy entries,
// veth names and VLANs of the host's bridge), places the cgroup (lxc.cgroup.dir*), sets
// non-namespaced sysctls, or maps ids (lxc.idmap: the host allocates subordinate ids, and an
// archive's map could name host root's or another user's). A key with no value is refused too:
// it clears what earlier lines and LXC's included configs set, their restrictions among them.
//
// The writer adds a floor of its own before the archive's lines (`floorEntries`): LXC's own
// capability drops and device allowlist (/usr/share/lxc/config/common.conf). Without them, a
// config that simply leaves out lxc.cap.drop or device rules (as lxc-busybox's does for
// devices) gives a privileged container sys_module and every host disk, more than any line
// this policy refuses. Nothing an archive may set can undo the floor: empty values, cap.keep,
// devices.allow and the userns includes that clear both are all refused.
//
// A privileged container is still only as confined as AppArmor makes it (root in it can
// remount a read-only bind): the host decides whether containers run with a user namespace.
import type { CgroupVersion } from './cgroup-limits.ts';
import { MAX_LXC_CONFIG_LINE_CHARS, hasControlCharacters, parseLxcLine, type LxcConfigEntry } from './config-file.ts';
import { isLxcArchName } from './arch-names.ts';
import { isReadOnly, parseMountEntry } from './mount-entry.ts';

export type LineVerdict = { allowed: true; entry: LxcConfigEntry } | { allowed: false; reason: string };

/** Whether stevedore writes this line of an archive into a host's config, and why not. */
export function judgeArchiveLine(line: string): LineVerdict {
  if (line.length > MAX_LXC_CONFIG_LINE_CHARS) return refused(`it is longer than ${MAX_LXC_CONFIG_LINE_CHARS} characters`);
  if (hasControlCharacters(line)) return refused('it contains a line break or control character');
  const parsed = parseLxcLine(line);
  if (parsed.kind === 'invalid') return refused(parsed.problem);
  if (parsed.kind !== 'entry') return refused('it is not a "key = value" line');
  if (parsed.value === '') return refused("it has no value, which clears what earlier lines and LXC's included configs set, their restrictions among them");
  const rule = RULES.find(([keys]) => keys.test(parsed.key));
  const reason = rule ? rule[1](parsed.value, parsed.key) : `${parsed.key} is not a key stevedore takes from an archive`;
  return reason === undefined ? { allowed: true, entry: parsed } : refused(reason);
}

const refused = (reason: string): LineVerdict => ({ allowed: false, reason });

/** A value check: the reason to refuse, or undefined to allow. */
type Check = (value: string, key: string) => string | undefined;

const allowed: Check = () => undefined;
const never = (reason: string): Check => () => reason;
const oneOf =
  (values: readonly string[], reason: string): Check =>
  (value) =>
    values.includes(value) ? undefined : reason;
const matching =
  (pattern: RegExp, what: string): Check =>
  (value) =>
    pattern.test(value) ? undefined : `its value is not ${what}`;
const flag = oneOf(['0', '1'], 'its value is not 0 or 1');
const unsigned = matching(/^\d{1,9}$/, 'a whole number');

const LXC_CONFIG_DIR = '/usr/share/lxc/config/';

function checkInclude(path: string): string | undefined {
  const inside = path.startsWith(LXC_CONFIG_DIR) ? path.slice(LXC_CONFIG_DIR.length).replace(/\/$/, '') : undefined;
  if (inside === undefined || inside === '' || inside.split('/').some((segment) => !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(segment))) {
    return `it includes a file outside LXC's own ${LXC_CONFIG_DIR}, whose lines stevedore cannot check`;
  }
  if (inside.includes('userns')) {
    return 'it includes the config LXC meant for containers with a user namespace map, which stevedore does not take from an archive; without the map it lifts the capability and device restrictions';
  }
  return undefined;
}

/** LXC's confined container profiles; "generated" makes one from LXC's template at start. */
const APPARMOR_PROFILES = ['generated', 'lxc-container-default', 'lxc-container-default-cgns', 'lxc-container-default-with-nesting'];

const SAFE_AUTO_MOUNTS = new Set(['proc', 'proc:mixed', 'sys', 'sys:mixed', 'sys:ro', 'cgroup:mixed', 'cgroup:ro', 'cgroup:mixed:force', 'cgroup:ro:force']);

function checkAutoMounts(value: string): string | undefined {
  for (const mount of value.split(/[ \t]+/)) {
    if (SAFE_AUTO_MOUNTS.has(mount)) continue;
    if (mount.startsWith('shmounts:')) return `"${mount}" shares a directory of the host with the container`;
    if (mount.startsWith('cgroup-full')) return `"${mount}" binds the host's whole cgroup hierarchies into the container`;
    if (mount.includes(':rw') || mount === 'cgroup') {
      return `"${mount}" mounts ${mount.split(':')[0]} read-write${mount === 'cgroup' ? ' when the container keeps CAP_SYS_ADMIN, as a privileged one does' : ''}, which lets the container change the host's kernel settings`;
    }
    return `"${mount}" is not an lxc.mount.auto value stevedore knows`;
  }
  return undefined;
}

/** Host directories LXC's busybox template binds read-only for the host's busybox to run. */
const SYSTEM_LIBRARY_DIRECTORIES = new Set(['/lib', '/lib64', '/usr/lib', '/usr/lib64']);
const MOUNT_TYPES = new Set(['tmpfs', 'mqueue', 'devpts']);
const MOUNT_FLAGS = new Set(
  'defaults ro rw bind rbind optional relative create=dir create=file nosuid suid nodev dev noexec exec noatime atime nodiratime diratime relatime norelatime strictatime nostrictatime lazytime nolazytime sync async dirsync silent loud private rprivate slave rslave newinstance'.split(
    ' ',
  ),
);
const MOUNT_VALUE_OPTIONS = /^(?:mode=[0-7]{1,4}|ptmxmode=[0-7]{1,4}|size=\d{1,20}[kmg%]?|nr_inodes=\d{1,20}[kmg]?|nr_blocks=\d{1,20}[kmg]?|uid=\d{1,10}|gid=\d{1,10}|max=\d{1,10})$/;

function checkMountEntry(value: string): string | undefined {
  const entry = parseMountEntry(value);
  if (!entry) return 'it is not an fstab line of 4 to 6 fields';
  const option = entry.options.find((o) => !MOUNT_FLAGS.has(o) && !MOUNT_VALUE_OPTIONS.test(o));
  if (option !== undefined) {
    return `it has the mount option "${option}", which stevedore does not pass on (mount propagation to the host, id maps and options naming host paths among them)`;
  }
  if (entry.target.startsWith('/')) return 'it mounts onto an absolute path; stevedore takes only targets inside the container, relative to its root';
  if (hasDotDot(entry.target)) return 'its target has a ".." segment';
  // liblxc refuses a target with a symbolic link in it, but creates a missing one with mkdir -p
  // and mknod, which follow the links of the archive's root filesystem onto the host. Under dev/
  // it creates them in the tmpfs it mounted there itself (lxc.autodev).
  if ((entry.options.includes('create=dir') || entry.options.includes('create=file')) && !entry.target.startsWith('dev/')) {
    return "it has LXC create its target, which LXC does following the symbolic links of the archive's root filesystem, onto the host; stevedore lets it create targets only under dev/, which LXC mounts itself";
  }
  if (!entry.options.includes('bind') && !entry.options.includes('rbind')) {
    if (!MOUNT_TYPES.has(entry.fstype)) return `it mounts a ${entry.fstype} file system; stevedore takes only tmpfs, mqueue and devpts mounts, and read-only binds of the host's library directories`;
    return entry.source.includes('/') ? `it names a path as the source of a ${entry.fstype} mount` : undefined;
  }
  if (!entry.source.startsWith('/')) {
    return "its source is a path in the container's root filesystem, which the archive made: LXC follows the symbolic links in it, so it can bind any path of the host";
  }
  const source = entry.source.replace(/(.)\/+$/, '$1');
  const readOnly = isReadOnly(entry.options);
  if (SYSTEM_LIBRARY_DIRECTORIES.has(source) && readOnly && entry.options.includes('bind') && !entry.options.includes('rbind')) return undefined;
  return `it binds ${source}, a path of the host${readOnly ? '' : ', writable'}; stevedore takes only read-only binds of ${[...SYSTEM_LIBRARY_DIRECTORIES].join(', ')}`;
}

const hasDotDot = (path: string) => path.split('/').includes('..');

/** Kernel parameters the container's own namespaces hold: setting them changes nothing of the host's. */
const NAMESPACED_SYSCTL = /^(?:net\.[a-z0-9_.-]+|fs\.mqueue\.[a-z_]+|kernel\.(?:shmmax|shmall|shmmni|shm_rmid_forced|msgmax|msgmnb|msgmni|sem))$/;

const KIB = 1024;

function checkConsoleSize(value: string): string | undefined {
  if (value === 'auto') return undefined;
  const match = /^(\d{1,12})(kb|mb|gb)?$/i.exec(value);
  const bytes = match ? Number(match[1]) * { '': 1, kb: KIB, mb: KIB ** 2, gb: KIB ** 3 }[(match[2] ?? '').toLowerCase()]! : undefined;
  return bytes !== undefined && bytes <= 16 * KIB ** 2 ? undefined : 'it is not "auto" or a size up to 16MB (LXC allocates the buffer on the host)';
}

/** Key families, most specific first: the first whose pattern matches the key decides. */
const RULES: ReadonlyArray<readonly [RegExp, Check]> = [
  [/^lxc\.hook(?:\.|$)/, never('hooks run programs on the host')],
  [/^lxc\.net\.\d+\.script\./, never('network scripts run programs on the host')],
  [/^lxc\.rootfs(?:\.|$)/, never('stevedore writes the root filesystem settings itself')],
  [/^lxc\.uts\.name$/, never("stevedore writes the host name from the container's network.hostname")],
  [/^lxc\.include$/, checkInclude],
  [/^lxc\.idmap$/, never("it maps the container's ids onto the host's, which only the host may allocate (/etc/subuid, /etc/subgid); an archive's map could name root's or another user's ids")],

  [/^lxc\.cap\.keep$/, never('it keeps the capabilities it lists, which may be ones lxc.cap.drop and LXC take away')],
  [/^lxc\.cap\.drop$/, matching(/^[a-z_0-9]+(?:[ \t]+[a-z_0-9]+)*$/, 'a list of capability names')],

  [/^lxc\.cgroup\.(?:dir|relative)(?:\.|$)/, never("where the container's cgroup lives is the host's decision")],
  [/^lxc\.cgroup2?\.devices\.allow$/, never('it gives the container access to host devices')],
  [/^lxc\.cgroup2?\.devices\.deny$/, allowed],
  [/^lxc\.cgroup2?\.cpuset\.[a-z_.]*(?:exclusive|partition)/, never("it takes CPUs or memory nodes away from the host's other processes")],
  [/^lxc\.cgroup2?\.cpu\.rt_/, never('it gives the container real-time CPU time, which it can take from the host')],
  [/^lxc\.cgroup2?\.(?:cpu|cpuset|cpuacct|memory|pids|blkio|io|hugetlb)\.[A-Za-z0-9_.]+$/, allowed],
  [/^lxc\.cgroup2?\./, never('it sets a cgroup file other than a limit of CPU, memory, I/O, pids or huge pages')],

  [/^lxc\.apparmor\.profile$/, oneOf(APPARMOR_PROFILES, `it is not one of LXC's confining profiles (${APPARMOR_PROFILES.join(', ')})`)],
  [/^lxc\.apparmor\.allow_nesting$/, flag],
  [/^lxc\.apparmor\.allow_incomplete$/, oneOf(['0'], "it starts the container when the kernel cannot enforce the profile's mount rules")],
  [/^lxc\.apparmor\.raw$/, never("it adds rules of its own to the container's AppArmor profile")],
  [/^lxc\.selinux(?:\.|$)/, never("the SELinux context is the host's policy to choose")],
  [/^lxc\.seccomp\.profile$/, matching(/^\/usr\/share\/lxc\/config\/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.seccomp$/, "one of LXC's own seccomp policies in /usr/share/lxc/config/")],
  [/^lxc\.seccomp\.allow_nesting$/, flag],
  [/^lxc\.seccomp\./, never("it hands the container's system calls to a process on the host")],
  [/^lxc\.namespace\./, never("it shares or keeps namespaces of the host or of other containers")],
  [/^lxc\.keyring\.session$/, oneOf(['1'], 'it gives the container the session keyring of the process that starts it')],
  [/^lxc\.monitor\./, never("it configures LXC's monitor, which runs on the host")],

  [/^lxc\.log\.file$/, never('it writes to a file on the host')],
  [/^lxc\.log\.level$/, matching(/^(?:[0-8]|trace|debug|info|notice|warn|error|crit|alert|fatal)$/i, 'a log level')],
  [/^lxc\.log\.syslog$/, matching(/^(?:daemon|local[0-7])$/, 'a syslog facility')],
  [/^lxc\.console\.(?:logfile|path)$/, never('it writes to or attaches a file or device of the host')],
  [/^lxc\.console\.(?:buffer\.size|size)$/, checkConsoleSize],
  [/^lxc\.console\.rotate$/, flag],

  [/^lxc\.environment$/, (value) => (value.includes('=') ? undefined : `it hands the container the value of the host's own ${value} variable`)],
  [/^lxc\.(?:init\.cmd|execute\.cmd|init\.cwd)$/, allowed],
  [/^lxc\.init\.(?:uid|gid)$/, unsigned],
  [/^lxc\.init\.groups$/, matching(/^\d{1,9}(?:,\d{1,9})*$/, 'a list of group ids')],
  [/^lxc\.arch$/, (value) => (isLxcArchName(value) ? undefined : 'its value is not an architecture LXC knows')],
  [/^lxc\.signal\.(?:halt|reboot|stop)$/, matching(/^(?:SIG)?[A-Z0-9+-]{1,16}$|^\d{1,2}$/, 'a signal')],
  [/^lxc\.start\.auto$/, flag],
  [/^lxc\.start\.(?:delay|order)$/, matching(/^-?\d{1,9}$/, 'a whole number')],
  [/^lxc\.group$/, matching(/^[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64})*$/, 'a list of group names')],
  [/^lxc\.(?:ephemeral|no_new_privs|sched\.core)$/, flag],
  [/^lxc\.autodev$/, oneOf(['1'], "without it, /dev is the archive's own directory, and mounts under it would follow the archive's symbolic links onto the host")],
  [/^lxc\.autodev\.tmpfs\.size$/, unsigned],
  // Each tty is a pseudo terminal LXC opens on the host.
  [/^lxc\.tty\.max$/, matching(/^(?:[0-9]|[1-5][0-9]|6[0-4])$/, 'a number of ttys from 0 to 64')],
  [/^lxc\.pty\.max$/, unsigned],
  [/^lxc\.tty\.dir$/, matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'a directory name')],
  [/^lxc\.prlimit\.[a-z_]+$/, matching(/^(?:\d{1,20}|unlimited)(?::(?:\d{1,20}|unlimited))?$/, 'a limit or soft:hard limits')],
  [/^lxc\.sysctl\./, (_value, key) => (NAMESPACED_SYSCTL.test(key.slice('lxc.sysctl.'.length)) ? undefined : "it sets a kernel parameter that is not the container's own: it would change the host's")],
  // The only /proc/<init>/ file a config needs; a negative score makes the host's own processes the OOM killer's first choice.
  [/^lxc\.proc\.oom_score_adj$/, matching(/^(?:\d{1,3}|1000)$/, 'an OOM score adjustment from 0 to 1000')],
  [/^lxc\.proc\./, never("it writes a /proc file of the container's init other than oom_score_adj")],
  [/^lxc\.time\.offset\.(?:boot|monotonic)$/, matching(/^-?\d{1,20}(?:h|m|s|ms|us|ns)?$/, 'a time offset')],

  [/^lxc\.mount\.fstab$/, never('it names an fstab file on the host, which the archive does not carry and whose mounts stevedore cannot check')],
  [/^lxc\.mount\.auto$/, checkAutoMounts],
  [/^lxc\.mount\.entry$/, checkMountEntry],

  [/^lxc\.net\.\d+\.type$/, (value) => NETWORK_TYPES[value] ?? (['veth', 'empty', 'macvlan', 'ipvlan', 'vlan'].includes(value) ? undefined : 'its value is not a network type LXC knows')],
  [/^lxc\.net\.\d+\.veth\.pair$/, never("it names the host's side of the veth pair, which the host's firewall rules may trust")],
  [/^lxc\.net\.\d+\.veth\.mode$/, oneOf(['bridge'], "router mode adds routes and proxy entries to the host's network")],
  [/^lxc\.net\.\d+\.(?:veth\.ipv4\.route|veth\.ipv6\.route)$/, never("it adds routes to the host's network")],
  [/^lxc\.net\.\d+\.l2proxy$/, oneOf(['0'], "it adds neighbour proxy entries for the container's addresses to the host's interface")],
  [/^lxc\.net\.\d+\.veth\.vlan\./, never("it changes the VLANs of the host's bridge port")],
  [/^lxc\.net\.\d+\.(?:flags|link|name|hwaddr|mtu|ipv4\.address|ipv4\.gateway|ipv6\.address|ipv6\.gateway|vlan\.id|macvlan\.mode|ipvlan\.mode|ipvlan\.isolation|veth\.n_rxqueues|veth\.n_txqueues)$/, allowed],
];

const NETWORK_TYPES: Record<string, string> = {
  none: "it shares the host's network namespace, so the container could reconfigure the host's network",
  phys: 'it moves a network interface of the host into the container',
};

/** LXC's own device allowlist (/usr/share/lxc/config/common.conf): creating any node, using only these. */
const DEVICE_ALLOWLIST = ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 5:1 rwm', 'c 5:2 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 10:229 rwm'];
/** LXC's own capability drops (common.conf): kernel modules, raw I/O, the host clock, the LSMs. */
const CAPABILITY_DROPS = 'mac_admin mac_override sys_time sys_module sys_rawio';

/** The restrictions every config stevedore writes starts from, as `[key, value]`, for one cgroup version. */
export function floorEntries(cgroup: CgroupVersion): Array<readonly [string, string]> {
  const devices = cgroup === 2 ? 'lxc.cgroup2.devices' : 'lxc.cgroup.devices';
  return [['lxc.cap.drop', CAPABILITY_DROPS], [`${devices}.deny`, 'a'], ...DEVICE_ALLOWLIST.map((rule) => [`${devices}.allow`, rule] as const)];
}

const FLOOR = new Set([...floorEntries(1), ...floorEntries(2)].map(([key, value]) => `${key}=${value}`));

/** Whether an entry is one of the floor's, of either cgroup version: a config stevedore wrote, read back. */
export function isFloorEntry(entry: LxcConfigEntry): boolean {
  return FLOOR.has(`${entry.key}=${entry.value}`);
}
