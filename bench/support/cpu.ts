// CPU seconds per process of the stack a benchmark runs, read from /proc: the S3 emulator,
// DynamoDB Local and the Docker engine are long-lived children of the benchmark, so their
// share of one export is the difference of two snapshots taken around it. (The worker's own
// process reports its figures itself when it exits: see invoke-worker.mjs.)
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

export type StackProcess = 's3rver' | 'DynamoDB Local' | 'dockerd';
export const STACK_PROCESSES: readonly StackProcess[] = ['s3rver', 'DynamoDB Local', 'dockerd'];

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  seconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { pid, ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined; // gone meanwhile
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function classify(stat: ProcStat): StackProcess | undefined {
  if (stat.comm === 'java') return 'DynamoDB Local';
  if (stat.comm === 'dockerd' || stat.comm === 'containerd') return 'dockerd';
  if (/s3rver(-main\.mjs|\.js) /.test(commandLine(stat.pid))) return 's3rver';
  return undefined;
}

/** CPU seconds so far of each stack process under this one (a process and its descendants). */
export function stackCpuSnapshot(root = process.pid): Map<StackProcess, number> {
  const stats = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const totals = new Map<StackProcess, number>(STACK_PROCESSES.map((name) => [name, 0]));
  const visit = (pid: number, inherited: StackProcess | undefined) => {
    for (const child of children.get(pid) ?? []) {
      const kind = classify(child) ?? inherited;
      if (kind) totals.set(kind, totals.get(kind)! + child.seconds);
      visit(child.pid, kind);
    }
  };
  visit(root, undefined);
  return totals;
}

/** What each stack process spent between two snapshots. */
export function cpuSince(before: Map<StackProcess, number>, after = stackCpuSnapshot()): Map<StackProcess, number> {
  return new Map(STACK_PROCESSES.map((name) => [name, after.get(name)! - before.get(name)!]));
}
