// Docker export benchmark: the export benchmark's generated tree as a Docker container on a
// private engine, exported by stevedore's worker bundle (STEVEDORE_DOCKER_RUNTIME=engine) to
// .tgz and .tar, next to what a Docker user types instead, measured in the same run:
// `docker export c | gzip -6`, `docker export c | pigz -6` and `docker export c`, to /dev/null.
//   npm run bench:docker-export            (256 MiB)
//   npm run bench:docker-export -- 1024    (another size, in MiB)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARCHIVE_SOURCE } from '../lib/archive/format.ts';
import { packArchive } from '../lib/archive/pack.ts';
import { configFor } from '../lib/container/model.ts';
import { readTarEntries } from '../lib/archive/tar-reader.ts';
import { startDockerDaemon } from '../test/support/docker-daemon.ts';
import { generateBenchTree, timeCommand, timingRow } from './support/container.ts';
import { startBenchStack, timeOurExports } from './support/stack.ts';
import { printTable } from './support/table.ts';

const sizeMiB = Number(process.argv[2] ?? 256);

/**
 * `docker export` parsed and packed again as the worker does, into nothing: the most that
 * splicing the engine's tar into the archive (rather than re-encoding it) could save.
 */
async function timeReencode(dockerHost: string): Promise<{ seconds: number; peakRssMiB: number; bytes: number }> {
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
  await pipeline(packArchive(config, readTarEntries(exported.stdout), { compress: false, gzipLevel: 6 }), sink);
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: Number.NaN, bytes };
}
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-docker-'));
const daemon = await startDockerDaemon();

try {
  const socket = daemon.endpoint.kind === 'unix' ? daemon.endpoint.socketPath : '';
  const dockerHost = `unix://${socket}`;
  const shell = (pipeline: string) => timeCommand('sh', ['-c', pipeline]);
  const container = generateBenchTree(work, sizeMiB);
  timeCommand('tar', ['-cf', container.gnuTar, '-C', container.tree, '.']);
  console.log('loading the tree into the engine as container "bench" ...');
  execFileSync('docker', ['-H', dockerHost, 'import', container.gnuTar, 'bench:latest'], { stdio: 'ignore' });
  execFileSync('docker', ['-H', dockerHost, 'create', '--name', 'bench', 'bench:latest', '/bin/sh'], { stdio: 'ignore' });

  Object.assign(process.env, { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: dockerHost });
  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    const { rows, seconds: ours } = await timeOurExports(services, 'docker', 'bench', container.bytes);
    const exportTo = (sink: string) => `docker -H ${dockerHost} export bench ${sink}`;
    const gzip = shell(exportTo('| gzip -6 > /dev/null'));
    const pigz = shell(exportTo('| pigz -6 > /dev/null'));
    const plain = shell(exportTo('> /dev/null'));
    const bytesOf = (sink: string) => Number(execFileSync('sh', ['-c', exportTo(`${sink} | wc -c`)]).toString().trim());
    const gzipBytes = bytesOf('| gzip -6');
    rows.push(timingRow('docker export | gzip -6', container.bytes, gzip, gzipBytes));
    rows.push(timingRow('docker export | pigz -6', container.bytes, pigz, gzipBytes));
    rows.push(timingRow('docker export > /dev/null', container.bytes, plain, bytesOf('')));
    const reencoded = await timeReencode(dockerHost);
    rows.push(timingRow('docker export, re-encoded (no upload)', container.bytes, reencoded, reencoded.bytes));

    console.log(`\nExport of a ${(container.bytes / 1024 / 1024).toFixed(0)} MiB Docker container (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'MiB/s', 'seconds', 'peak RSS MiB', 'output MiB'], rows);
    console.log(`\nours/baseline wall time: .tgz ${(ours.tgz / gzip.seconds).toFixed(2)}x of gzip -6, ${(ours.tgz / pigz.seconds).toFixed(2)}x of pigz -6; .tar ${(ours.tar / plain.seconds).toFixed(2)}x of docker export`);
    console.log(`re-encoding the engine's tar (what splicing it would save at most): ${(reencoded.seconds - plain.seconds).toFixed(2)} s of our .tar's ${ours.tar.toFixed(2)} s`);
  } finally {
    await stack.stop();
  }
} finally {
  await daemon.stop();
  rmSync(work, { recursive: true, force: true });
}
