// The benchmarks' container: a generated tree, packed by GNU tar, loaded into the built-in
// runtime as image `bench` and created as LXC container `bench`.
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import type { ComposedServices } from '../../lib/services.ts';
import { parseBodyPath } from '../../lib/share/paths.ts';
import { generateTree } from './tree.ts';
import { cpuSince, stackCpuSnapshot } from './cpu.ts';
import type { TaskTiming } from './stack.ts';

export interface BenchContainer {
  tree: string;
  /** Bytes of file contents in the tree: the numerator of every MiB/s. */
  bytes: number;
  gnuTar: string;
}

/** Generates the tree (before the emulators start, so it is not measured with them). */
export function generateBenchTree(work: string, sizeMiB: number): BenchContainer {
  const tree = join(work, 'tree');
  console.log(`generating a ${sizeMiB} MiB root filesystem in ${tree} ...`);
  const bytes = generateTree(tree, sizeMiB);
  return { tree, bytes, gnuTar: join(work, 'gnu.tar') };
}

export async function loadBenchContainer({ builtinRuntime }: ComposedServices, container: BenchContainer): Promise<void> {
  console.log('loading the tree into the built-in runtime as container "bench" ...');
  await builtinRuntime.putImage('bench', 'latest', readTarEntries(createReadStream(container.gnuTar)));
  await builtinRuntime.create({ type: 'lxc', name: 'bench', image: 'bench', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} });
}

export function timeCommand(command: string, args: string[]): TaskTiming & { commandSeconds: number } {
  const childrenBefore = waitedChildrenCpuSeconds();
  const stackBefore = stackCpuSnapshot();
  const started = performance.now();
  execFileSync(command, args, { stdio: 'ignore' });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, peakRssMiB: Number.NaN, stackSeconds: cpuSince(stackBefore), commandSeconds: waitedChildrenCpuSeconds() - childrenBefore };
}

/** CPU seconds of this process's children that ended and were waited for (a command and its pipeline). */
function waitedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export async function shareFileSize({ storage, config }: ComposedServices, path: string): Promise<number> {
  return (await storage.fileSize(parseBodyPath(path, config.shareFolders))) ?? 0;
}

const MIB = 1024 * 1024;

/** A table row: what, MiB/s of the container's bytes, seconds, peak RSS, output size. */
export function timingRow(what: string, bytes: number, timing: TaskTiming, outputBytes: number): string[] {
  return [what, (bytes / MIB / timing.seconds).toFixed(1), timing.seconds.toFixed(2), Number.isNaN(timing.peakRssMiB) ? '-' : timing.peakRssMiB.toFixed(0), (outputBytes / MIB).toFixed(1)];
}
