// Cold start of every function as deployed: bundle each one with the CDK app's esbuild
// settings, then load each bundle in a fresh Node process (the project's Node 24, or this one)
// and time the import, which is where every function builds its app and handler. Prints a
// table against the budget of the HTTP handlers (at most 300 KiB and 120 ms of init each),
// then what each bundle is made of: its biggest packages and source directories.
//   npm run bench:cold-start            (RUNS=5 for more samples, TOP=12 for more inputs)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manifest } from '../functions/routes.ts';
import { bundleModules, deployedModules, REPO_ROOT, SWEEP_MODULE, WORKER_MODULE } from '../infra/aws/bundle.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const TOP = Number(process.env.TOP ?? 6);
const BUDGET_BYTES = 300 * 1024;
const BUDGET_INIT_MS = 120;

const projectNode = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const node = existsSync(projectNode) ? projectNode : process.execPath;

// The child reports the time around the dynamic import, measured inside the process.
const CHILD = `
const cpu = process.cpuUsage();
const started = performance.now();
const mod = await import(process.env.BENCH_BUNDLE);
const initMs = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ initMs, cpuMs: (used.user + used.system) / 1000 }));
`;

// What Lambda gives the function: its configuration (no Node flags: the bundle maps its own stack traces).
const childEnv = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  STEVEDORE_TABLE: 'stevedore',
  STEVEDORE_BUCKET: 'stevedore-share',
  STEVEDORE_SHARE_FOLDERS: 'test:rw',
  STEVEDORE_POLL_SECONDS: '20',
};

interface Row {
  name: string;
  kind: 'http' | 'worker';
  bytes: number;
  inputs: Readonly<Record<string, number>>;
  initMs: number;
  cpuMs: number;
  wallMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function measure(file: string): { initMs: number; cpuMs: number; wallMs: number } {
  const init: number[] = [];
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync(node, ['--input-type=module', '-e', CHILD], {
      env: { ...childEnv, BENCH_BUNDLE: pathToFileURL(file).href },
      encoding: 'utf8',
    });
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (child.status !== 0) throw new Error(`loading ${file} failed:\n${child.stderr}`);
    const report = JSON.parse(child.stdout) as { initMs: number; cpuMs: number };
    init.push(report.initMs);
    cpu.push(report.cpuMs);
  }
  return { initMs: median(init), cpuMs: median(cpu), wallMs: median(wall) };
}

const functions = [
  ...manifest.map((r) => ({ name: r.name, module: r.module, kind: 'http' as const })),
  { name: 'worker-tasks', module: WORKER_MODULE, kind: 'worker' as const },
  { name: 'worker-sweep', module: SWEEP_MODULE, kind: 'worker' as const },
];

const bundleStarted = performance.now();
const bundles = bundleModules(deployedModules(manifest));
const bundleMs = performance.now() - bundleStarted;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`Bundled ${bundles.size} modules in ${(bundleMs / 1000).toFixed(1)} s; loading each in a fresh ${nodeVersion} process, median of ${RUNS}.`);
// Timings are wall clock: on a busy machine they measure the machine. The load is printed so
// that a reader can tell, and the CPU column is the time the import itself computed.
console.log(`Machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}.\n`);

const rows: Row[] = functions.map((f) => {
  const bundle = bundles.get(f.module)!;
  return { name: f.name, kind: f.kind, bytes: bundle.bytes, inputs: bundle.inputs, ...measure(bundle.file) };
});

/** `met`, or by how much each limit is exceeded. */
function verdict(r: Row): string {
  if (r.kind === 'worker') return 'n/a (not HTTP)';
  const over = [
    r.bytes > BUDGET_BYTES ? `+${((r.bytes - BUDGET_BYTES) / 1024).toFixed(0)} KiB` : '',
    r.initMs > BUDGET_INIT_MS ? `+${(r.initMs - BUDGET_INIT_MS).toFixed(0)} ms` : '',
  ].filter(Boolean);
  return over.length === 0 ? 'met' : `over: ${over.join(', ')}`;
}

function printTable(header: string[], table: string[][], numeric: (i: number) => boolean): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (numeric(i) ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|')}|`);
  for (const row of table) console.log(line(row));
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const verdicts = rows.map(verdict);
printTable(
  ['function', 'bundle KiB', 'init ms', 'init cpu ms', 'process ms', 'budget (300 KiB, 120 ms)'],
  rows.map((r, i) => [r.name, kib(r.bytes), r.initMs.toFixed(1), r.cpuMs.toFixed(0), r.wallMs.toFixed(0), verdicts[i]!]),
  (i) => i > 0 && i < 5,
);

const failed = rows.filter((r, i) => r.kind === 'http' && verdicts[i] !== 'met');
console.log(
  `\nBudget per HTTP handler: bundle at most ${BUDGET_BYTES / 1024} KiB, init at most ${BUDGET_INIT_MS} ms. ` +
    (failed.length === 0 ? 'All HTTP handlers within budget.' : `${failed.length} over budget: ${failed.map((r) => r.name).join(', ')}.`),
);
console.log(
  'init = performance.now() around the dynamic import inside the process (as deployed: no Node flags); ' +
    'init cpu = CPU time of that import; process = spawn to exit, as seen from here.',
);

/** The package (`@aws-sdk/client-s3`) or source directory (`lib/share`) a bundled input belongs to. */
function origin(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg) return pkg[1]!;
  const parts = input.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : input;
}

console.log(`\nWhat each bundle is made of: its ${TOP} biggest packages or source directories, KiB in the minified output.\n`);
printTable(
  ['function', 'biggest inputs (KiB)'],
  rows.map((r) => {
    const byOrigin = new Map<string, number>();
    for (const [input, bytes] of Object.entries(r.inputs)) byOrigin.set(origin(input), (byOrigin.get(origin(input)) ?? 0) + bytes);
    const top = [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, TOP);
    return [r.name, top.map(([name, bytes]) => `${name} ${kib(bytes)}`).join(', ')];
  }),
  () => false,
);
