// Worker memory benchmark: the worker's peak RSS at several container sizes, which the budget
// wants flat. Each size is a generated container on a private Docker engine, exported by the
// worker's deployed bundle (as bench:docker-export runs it) to .tgz and .tar and, with
// --import, imported back from the .tgz; the table shows where the memory went, sampled in the
// worker at the moment of its highest RSS.
//   npm run bench:worker-memory                          (256, 1024 and 4096 MiB)
//   npm run bench:worker-memory -- 256 1024 --import     (these sizes, import too)
// STEVEDORE_BENCH_NODE_OPTIONS adds Node options to the worker's own, to try a setting.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBodyPath } from '../lib/share/paths.ts';
import { createImportTask } from '../lib/tasks/import-request.ts';
import { WORKER_ENVIRONMENT } from '../infra/aws/task-worker.ts';
import { startDockerDaemon } from '../test/support/docker-daemon.ts';
import { loadDockerBenchContainer } from './support/docker-container.ts';
import { startBenchStack, timeOurExports, timeTaskInChild, type TaskTiming } from './support/stack.ts';
import { printTable } from './support/table.ts';

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
if (sizes.length === 0) sizes.push(256, 1024, 4096);
const withImport = args.includes('--import');
const MIB = 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-memory-'));
const daemon = await startDockerDaemon();
const loadAtStart = loadavg()[0]!;

function row(sizeMiB: number, what: string, bytes: number, timing: TaskTiming): string[] {
  const at = timing.memory!.atPeakRss;
  const rest = at.rss - at.heapTotal - at.external;
  return [
    String(sizeMiB),
    what,
    (bytes / MIB / timing.seconds).toFixed(1),
    timing.seconds.toFixed(1),
    timing.peakRssMiB.toFixed(0),
    timing.memory!.loaded.rss.toFixed(0),
    at.heapTotal.toFixed(0),
    at.external.toFixed(0),
    at.arrayBuffers.toFixed(0),
    rest.toFixed(0),
  ];
}

function printRows(rows: string[][], partBytes: number): void {
  const trying = process.env.STEVEDORE_BENCH_NODE_OPTIONS ?? '';
  const malloc = Object.entries(WORKER_ENVIRONMENT).filter(([name]) => name !== 'NODE_OPTIONS').map(([name, value]) => `${name}=${value}`);
  console.log(`\nWorker memory (${process.version}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 16)}, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} now)`);
  console.log(`worker: node ${WORKER_ENVIRONMENT.NODE_OPTIONS}${trying ? ` ${trying}` : ''}, ${malloc.join(' ')}; upload parts of ${partBytes / MIB} MiB`);
  console.log('MiB: "loaded" is the RSS once the bundle is loaded; heap, external (Buffers, zlib), of it array buffers, and the rest are sampled every 20 ms, at the sample of highest RSS\n');
  printTable(['size MiB', 'what', 'MiB/s', 'seconds', 'peak RSS', 'loaded', 'heap', 'external', 'array buffers', 'rest'], rows);
}

try {
  const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
  const dockerHost = `unix://${socket}`;
  const docker = (...rest: string[]) => execFileSync('docker', ['-H', dockerHost, ...rest], { stdio: 'ignore' });
  Object.assign(process.env, { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: dockerHost });
  const { stack, services } = await startBenchStack(join(work, 'data'));
  const rows: string[][] = [];
  try {
    for (const sizeMiB of sizes) {
      const name = `bench-${sizeMiB}`;
      const container = await loadDockerBenchContainer(dockerHost, mkdtempSync(join(work, `${name}-`)), sizeMiB, name);
      const { timings } = await timeOurExports(services, 'docker', name, container.bytes);
      rows.push(row(sizeMiB, 'export .tgz', container.bytes, timings.tgz!), row(sizeMiB, 'export .tar', container.bytes, timings.tar!));
      const archive = (format: string) => parseBodyPath(`test/bench.${format}`, services.config.shareFolders);
      if (withImport) {
        const task = await createImportTask(services, archive('tgz'), { type: 'docker', name: `${name}-imported` });
        console.log(`importing test/bench.tgz as ${name}-imported ...`);
        rows.push(row(sizeMiB, 'import .tgz', container.bytes, await timeTaskInChild(services, 'import', task.id)));
        docker('rm', `${name}-imported`);
        docker('rmi', `stevedore-import/${name}-imported:latest`);
      }
      // vfs and the S3 emulator each keep full copies: free the disk before the next size.
      docker('rm', name);
      docker('rmi', `${name}:latest`);
      for (const format of ['tgz', 'tar']) await services.storage.deleteFile(archive(format));
      // The table so far after each size: the largest take long enough to be worth reading early.
      printRows(rows, services.config.uploadPartBytes);
    }
  } finally {
    await stack.stop();
  }
} finally {
  await daemon.stop();
  rmSync(work, { recursive: true, force: true });
}
