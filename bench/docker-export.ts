// Docker export benchmark: the export benchmark's generated tree as a Docker container on a
// private engine, exported by stevedore's worker bundle (STEVEDORE_DOCKER_RUNTIME=engine) to
// .tgz and .tar, next to what a Docker user types instead, measured in the same run:
// `docker export c | gzip -6`, `docker export c | pigz -6` and `docker export c`, to /dev/null.
// Every measurement is taken once per round, the rounds one after the other, and the tables
// give the median round of each; the machine's speed drifts by a tenth or more from one minute
// to the next, so a single run could not tell a change of 10 % from the drift.
//   npm run bench:docker-export                 (256 MiB, three rounds)
//   npm run bench:docker-export -- 1024         (another size, in MiB)
//   npm run bench:docker-export -- --rounds=5
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARCHIVE_SOURCE } from '../lib/archive/format.ts';
import { packArchive } from '../lib/archive/pack.ts';
import { configFor } from '../lib/container/model.ts';
import { createExportTask } from '../lib/tasks/export-request.ts';
import { readTarEntries } from '../lib/archive/tar-reader.ts';
import { startDockerDaemon } from '../test/support/docker-daemon.ts';
import { timeCommand } from './support/container.ts';
import { loadDockerBenchContainer } from './support/docker-container.ts';
import { STACK_PROCESSES } from './support/cpu.ts';
import { profileGroups } from './support/cpu-profile.ts';
import { startBenchStack, timeOurExports, timeTaskInChild, type TaskTiming } from './support/stack.ts';
import { roundsOption } from './support/args.ts';
import { printTable } from './support/table.ts';

const args = process.argv.slice(2);
const sizeMiB = Number(args.find((arg) => !arg.startsWith('--')) ?? 256);
const rounds = roundsOption(args, 3);

type Timed = TaskTiming & { commandSeconds?: number; bytes?: number };
type Median = Timed & { rounds: number[] };

/** The timing of the median round (of an even count, the faster of the middle two). */
function medianOf<T extends { seconds: number }>(timings: T[]): T & { rounds: number[] } {
  const sorted = [...timings].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, rounds: timings.map((timing) => timing.seconds) };
}

/**
 * `docker export` packed into an archive as the worker packs it, into nothing: spliced (the
 * worker's way: headers rewritten chunk by chunk) or re-encoded (every entry read and written
 * again, the way of a root filesystem given as entries). The difference is what splicing saves.
 */
async function timePacking(dockerHost: string, form: 'spliced' | 're-encoded'): Promise<{ seconds: number; peakRssMiB: number; bytes: number }> {
  const started = performance.now();
  const exported = spawn('docker', ['-H', dockerHost, 'export', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const config = { ...configFor({ type: 'docker', name: 'bench', image: 'bench', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} }, 'amd64'), source: ARCHIVE_SOURCE };
  const rootfs = form === 'spliced' ? { format: 'tar' as const, tar: exported.stdout } : { format: 'entries' as const, entries: readTarEntries(exported.stdout) };
  await pipeline(packArchive(config, rootfs, { compress: false, gzipLevel: 6 }), sink);
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: Number.NaN, bytes };
}

const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-docker-'));
const daemon = await startDockerDaemon();

try {
  const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
  const dockerHost = `unix://${socket}`;
  const shell = (pipeline: string) => timeCommand('sh', ['-c', pipeline]);
  const container = await loadDockerBenchContainer(dockerHost, work, sizeMiB);

  Object.assign(process.env, { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: dockerHost });
  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    const exportTo = (sink: string) => `docker -H ${dockerHost} export bench ${sink}`;
    const samples = { tgz: [] as TaskTiming[], tar: [] as TaskTiming[], gzip: [] as Timed[], pigz: [] as Timed[], plain: [] as Timed[], spliced: [] as Timed[], reencoded: [] as Timed[] };
    let outputBytes = { tgz: 0, tar: 0 };
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round} of ${rounds}`);
      // A key of its own per round: replacing an object costs the emulator more than writing a new one.
      const ours = await timeOurExports(services, 'docker', 'bench', container.bytes, `test/bench-${round}`);
      samples.tgz.push(ours.timings.tgz!);
      samples.tar.push(ours.timings.tar!);
      outputBytes = ours.outputBytes;
      samples.gzip.push(shell(exportTo('| gzip -6 > /dev/null')));
      samples.pigz.push(shell(exportTo('| pigz -6 > /dev/null')));
      samples.plain.push(shell(exportTo('> /dev/null')));
      samples.spliced.push(await timePacking(dockerHost, 'spliced'));
      samples.reencoded.push(await timePacking(dockerHost, 're-encoded'));
    }
    const timings = { tgz: medianOf(samples.tgz), tar: medianOf(samples.tar) };
    const gzip = medianOf(samples.gzip);
    const pigz = medianOf(samples.pigz);
    const plain = medianOf(samples.plain);
    const spliced = medianOf(samples.spliced);
    const reencoded = medianOf(samples.reencoded);
    const profileDir = join(work, 'profile');
    mkdirSync(profileDir);
    const profiled = await createExportTask(services, 'docker', 'bench', { path: 'test/bench-profiled.tgz', compress: true, force: true });
    console.log('exporting to test/bench-profiled.tgz with a CPU profile of the worker ...');
    const profile = (await timeTaskInChild(services, 'export', profiled.id, { cpuProfileDir: profileDir })).cpuProfile!;
    const bytesOf = (sink: string) => Number(execFileSync('sh', ['-c', exportTo(`${sink} | wc -c`)]).toString().trim());
    const gzipBytes = bytesOf('| gzip -6');
    const pigzBytes = bytesOf('| pigz -6');
    const tarBytes = bytesOf('');

    const MIB = 1024 * 1024;
    const row = (what: string, timing: Median, baseline: { name: string; seconds: number; bytes?: number } | undefined, output: number) => [
      what,
      (container.bytes / MIB / timing.seconds).toFixed(1),
      timing.seconds.toFixed(2),
      timing.rounds.map((seconds) => seconds.toFixed(2)).join(' '),
      baseline ? `${(timing.seconds / baseline.seconds).toFixed(2)}x ${baseline.name}` : '-',
      `${(output / MIB).toFixed(1)}${baseline?.bytes ? ` (${(((output / baseline.bytes) - 1) * 100).toFixed(1)} %)` : ''}`,
      Number.isNaN(timing.peakRssMiB) ? '-' : timing.peakRssMiB.toFixed(0),
    ];
    const gzipBaseline = { name: 'gzip -6', seconds: gzip.seconds, bytes: gzipBytes };
    const plainBaseline = { name: 'docker export', seconds: plain.seconds };
    console.log(`\nExport of a ${(container.bytes / MIB).toFixed(0)} MiB Docker container, median of ${rounds} rounds (${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at the end)\n`);
    printTable(['what', 'MiB/s', 'seconds (median)', 'each round', 'ratio to baseline', 'output MiB (vs baseline)', 'peak RSS MiB'], [
      row('stevedore export .tgz', timings.tgz, gzipBaseline, outputBytes.tgz),
      row('docker export | gzip -6', gzip, undefined, gzipBytes),
      row('docker export | pigz -6', pigz, gzipBaseline, pigzBytes),
      row('stevedore export .tar', timings.tar, plainBaseline, outputBytes.tar),
      row('docker export > /dev/null', plain, undefined, tarBytes),
      row('docker export, spliced (no upload)', spliced, plainBaseline, spliced.bytes ?? 0),
      row('docker export, re-encoded (no upload)', reencoded, plainBaseline, reencoded.bytes ?? 0),
    ]);

    const worker = (timing: TaskTiming, thread?: string) =>
      Object.entries(timing.threadSeconds ?? {}).filter(([name]) => thread === undefined || name === thread).reduce((sum, [, s]) => sum + s, 0);
    const cpuRow = (what: string, timing: TaskTiming & { commandSeconds?: number }) => {
      const fixed = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));
      const ours = timing.threadSeconds !== undefined;
      const stack = STACK_PROCESSES.map((name) => fixed(timing.stackSeconds?.get(name)));
      const total = (ours ? worker(timing) : timing.commandSeconds ?? 0) + [...(timing.stackSeconds?.values() ?? [])].reduce((a, b) => a + b, 0);
      return [what, timing.seconds.toFixed(2), ours ? fixed(worker(timing)) : '-', ours ? fixed(worker(timing, 'MainThread')) : '-', ours ? fixed(worker(timing, 'libuv-worker')) : '-', ours ? fixed(worker(timing, 'V8Worker')) : '-', ...stack, ours ? '-' : fixed(timing.commandSeconds), fixed(total)];
    };
    console.log('\nCPU seconds per process during the median round of each (of a 2-core machine\'s 2 s per second of wall time)\n');
    printTable(['what', 'wall s', 'worker', '  JS thread', '  thread pool', '  GC threads', ...STACK_PROCESSES, 'docker CLI + gzip/pigz', 'total'], [
      cpuRow('stevedore export .tgz', timings.tgz),
      cpuRow('stevedore export .tar', timings.tar),
      cpuRow('docker export | gzip -6', gzip),
      cpuRow('docker export | pigz -6', pigz),
      cpuRow('docker export > /dev/null', plain),
    ]);

    const groups = profileGroups(profile.file, profile.bundle);
    const profiledMs = groups.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(`\nWhere the worker's JavaScript thread spends its CPU during a .tgz export (V8 profile, ${(profiledMs / 1000).toFixed(2)} s sampled; the thread pool's gzip is not in it)\n`);
    printTable(['what', 'CPU s', 'share'], groups.map(([what, ms]) => [what, (ms / 1000).toFixed(2), `${((ms / profiledMs) * 100).toFixed(0)} %`]));
    console.log(`\nsplicing the engine's tar: ${(spliced.seconds - plain.seconds).toFixed(2)} s over docker export; re-encoding it instead: ${(reencoded.seconds - plain.seconds).toFixed(2)} s; our .tar took ${timings.tar.seconds.toFixed(2)} s`);
  } finally {
    await stack.stop();
  }
} finally {
  await daemon.stop();
  rmSync(work, { recursive: true, force: true });
}
