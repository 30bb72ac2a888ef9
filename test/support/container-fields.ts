// Container settings a client may send in `POST /api/v1/container` and in an import's body,
// shared by the tests of both routes: the same fields must meet the same rules on each.

/** [what, fields added to a valid body, the 400 message]. */
export type FieldRefusal = [what: string, fields: Record<string, unknown>, message: string | RegExp];

const LONG = 'x'.repeat(5000);

export const INVALID_SETTINGS: FieldRefusal[] = [
  ['a port mapping with names and icmp', { network: { port: [['a', 'b', 'icmp']] } }, '"network.port[0][0]" must be a port number from 1 to 65535'],
  ['a port mapping over icmp', { network: { port: [[80, 80, 'icmp']] } }, '"network.port[0][2]" must be "tcp" or "udp"'],
  ['a host port of 0', { network: { port: [[0, 80, 'tcp']] } }, '"network.port[0][0]" must be a port number from 1 to 65535'],
  ['a container port of 70000', { network: { port: [[8080, 70000, 'udp']] } }, '"network.port[0][1]" must be a port number from 1 to 65535'],
  ['a port mapping of two items', { network: { port: [[8080, 80]] } }, '"network.port[0]" must be [host port, container port, "tcp" or "udp"]'],
  ['a port list that is a string', { network: { port: '8080:80' } }, '"network.port" must be an array'],
  ['one host port mapped twice', { network: { port: [[8080, 80, 'tcp'], [8080, 81, 'tcp']] } }, '"network.port[1]" maps host port 8080/tcp a second time'],
  ['a host name with an underscore', { network: { hostname: 'bad_host' } }, /^"network\.hostname" must be a host name/],
  ['a host name label of 64 characters', { network: { hostname: `a${'b'.repeat(63)}.example` } }, /^"network\.hostname" must be a host name/],
  ['a DNS server that is no IP address', { network: { dns: ['8.8.8.8', 'dns.example'] } }, '"network.dns[1]" must be an IP address'],
  ['an exposed port that is a string', { network: { expose_port: ['80'] } }, '"network.expose_port[0]" must be a port number from 1 to 65535'],
  ['an unknown network field', { network: { mode: 'host' } }, '"network.mode" is not a known field'],
  ['a memory of "lots"', { resource: { limit: { memory: 'lots' } } }, '"resource.limit.memory" must be a size like "768m", "1g" or a number of bytes'],
  ['a memory under 64m', { resource: { limit: { memory: '1m' } } }, '"resource.limit.memory" must be at least 64m'],
  ['a cputime of 5', { resource: { limit: { cputime: 5 } } }, '"resource.limit.cputime" must be an integer from 10 to 999'],
  ['a cpuweight given as a string', { resource: { limit: { cpuweight: '512' } } }, '"resource.limit.cpuweight" must be an integer from 2 to 1024'],
  ['a device rule that grants', { resource: { device: [['grant', '/dev/null', 'rw']] } }, '"resource.device[0][0]" must be "allow" or "deny"'],
  ['a device outside /dev', { resource: { device: [['allow', '/etc/passwd', 'rw']] } }, /^"resource\.device\[0\]\[1\]" must be a device under \/dev\//],
  ['a device path climbing out of /dev', { resource: { device: [['allow', '/dev/../etc/passwd', 'rw']] } }, /^"resource\.device\[0\]\[1\]" must be a device under \/dev\//],
  ['device permissions with x', { resource: { device: [['allow', '/dev/null', 'rwx']] } }, '"resource.device[0][2]" must be permissions made of r, w and m'],
  ['an unknown resource field', { resource: { cpus: 2 } }, '"resource.cpus" is not a known field'],
  ['a volume from a share path with ".."', { volume: { host: { '../../etc': { bind: '/mnt/etc', ro: true } } } }, /^"volume\.host\[\.\.\/\.\.\/etc\]" is not a share path: /],
  ['a volume bound to a relative path', { volume: { host: { '/test': { bind: '../../etc', ro: true } } } }, /^"volume\.host\[\/test\]\.bind" must be an absolute path/],
  ['a volume bound through ".."', { volume: { host: { '/test': { bind: '/mnt/../etc', ro: true } } } }, /^"volume\.host\[\/test\]\.bind" must be an absolute path/],
  ['a volume without bind', { volume: { host: { '/test': { ro: true } } } }, '"volume.host[/test].bind" is required'],
  ['a volume whose ro is a string', { volume: { host: { '/test': { bind: '/mnt/t', ro: 'yes' } } } }, '"volume.host[/test].ro" must be true or false'],
  ['environment given as one string', { environment: 'A=1' }, '"environment" must be an array'],
  ['environment with a number', { environment: ['A=1', 2] }, '"environment[1]" must be a string'],
  ['a command that is a number', { command: 3 }, '"command" must be a string or an array of strings'],
  ['an autostart of "yes"', { autostart: 'yes' }, '"autostart" must be true or false'],
  ['an unknown field', { privileged: true }, '"privileged" is not a known field'],
  // Client input is quoted only up to a bounded prefix.
  ['an unknown field with a 5000-character name', { [LONG]: 1 }, /^"x{64}…" is not a known field$/],
  ['a volume share path of 5000 characters', { volume: { host: { [`/${LONG}`]: { bind: '/mnt/x' } } } }, /^"volume\.host\[\/x{63}…\]" is not a share path: /],
];

/** Settings that meet every rule, each field used once: stored and echoed exactly as sent. */
export const VALID_SETTINGS = {
  autostart: true,
  command: ['/bin/sh', '-c', 'sleep 1'],
  entrypoint: '/sbin/init',
  environment: ['A=1', 'PATH=/usr/bin'],
  network: { hostname: 'box.example', port: [[8080, 80, 'tcp'], [8080, 80, 'udp']], dns: ['8.8.8.8', '2001:4860:4860::8888'], expose_port: [22] },
  resource: { limit: { cputime: 999, cpuweight: 2, memory: '1g' }, device: [['allow', '/dev/video0', 'rwm'], ['deny', 'video4linux_(81)', 'r']] },
  volume: { host: { 'test/sub': { bind: '/mnt/vol1', ro: true }, '/tmp': { bind: '/mnt/vol2' } } },
};
