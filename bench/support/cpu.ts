// CPU seconds of the processes a benchmark runs next to (the emulators, the engine), read from
// /proc/<pid>/stat: user + system time of the process and of its live descendants, so that an
// emulator behind its watchdog shell, or dockerd with its containerd, is counted whole.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** cutime + cstime: children that were waited for. */
  childTicks: number;
}

function statOf(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const field = (n: number) => Number(fields[n - 3]);
    return { ppid: field(4), ticks: field(14) + field(15), childTicks: field(16) + field(17) };
  } catch {
    return undefined; // gone
  }
}

function livePids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** CPU seconds of `pid` and every live descendant (and the children they waited for). */
export function treeCpuSeconds(pid: number): number {
  const stats = new Map(livePids().flatMap((p) => { const s = statOf(p); return s ? [[p, s] as const] : []; }));
  let ticks = 0;
  const visit = (p: number) => {
    const stat = stats.get(p);
    if (!stat) return;
    ticks += stat.ticks + stat.childTicks;
    for (const [child, s] of stats) if (s.ppid === p) visit(child);
  };
  visit(pid);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of the children this process has waited for (commands run with execFileSync). */
export function waitedChildrenCpuSeconds(): number {
  return (statOf(process.pid)?.childTicks ?? 0) / TICKS_PER_SECOND;
}

/** The first process whose command line holds every one of `parts` as an argument. */
export function findProcess(parts: string[]): number | undefined {
  for (const pid of livePids()) {
    if (pid === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (args[0] !== 'sh' && parts.every((part) => args.some((arg) => arg === part || arg.endsWith(`/${part}`)))) return pid;
  }
  return undefined;
}

/** Named processes to sample: each phase's CPU seconds is the difference of two samples. */
export class CpuMeter {
  constructor(private readonly processes: ReadonlyMap<string, number>) {}

  sample(): Map<string, number> {
    return new Map([...this.processes].map(([name, pid]) => [name, treeCpuSeconds(pid)]));
  }

  static since(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
    return new Map([...after].map(([name, seconds]) => [name, seconds - (before.get(name) ?? 0)]));
  }
}
