// Import benchmark: the export benchmark's container exported to .tgz, then imported back
// through the real worker path (S3 emulator -> gunzip -> checked tar entries -> runtime),
// next to GNU `tar -xzf` of the same archive, measured in the same run.
//   npm run bench:import            (256 MiB)
//   npm run bench:import -- 1024    (another size, in MiB)
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseBodyPath } from '../lib/share/paths.ts';
import { createExportTask } from '../lib/tasks/export-request.ts';
import { createImportTask } from '../lib/tasks/import-request.ts';
import { generateBenchTree, loadBenchContainer, shareFileSize, timeCommand, timingRow } from './support/container.ts';
import { startBenchStack, timeTaskInChild } from './support/stack.ts';
import { printTable } from './support/table.ts';

const sizeMiB = Number(process.argv[2] ?? 256);
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-import-'));

try {
  const container = generateBenchTree(work, sizeMiB);
  timeCommand('tar', ['-cf', container.gnuTar, '-C', container.tree, '.']);
  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    await loadBenchContainer(services, container);
    const archivePath = parseBodyPath('test/bench.tgz', services.config.shareFolders);
    const exported = await createExportTask(services, 'lxc', 'bench', { path: 'test/bench.tgz', force: true });
    console.log('exporting to test/bench.tgz ...');
    await timeTaskInChild(services, 'export', exported.id);
    const archiveBytes = await shareFileSize(services, 'test/bench.tgz');

    // The same archive on local disk, for GNU tar.
    const local = join(work, 'bench.tgz');
    await pipeline((await services.storage.openRead(archivePath)).body, createWriteStream(local));
    mkdirSync(join(work, 'extracted'));
    const tarXzf = timeCommand('tar', ['-xzf', local, '-C', join(work, 'extracted')]);

    const imported = await createImportTask(services, archivePath, { type: 'lxc', name: 'bench-imported' });
    console.log('importing test/bench.tgz ...');
    const timing = await timeTaskInChild(services, 'import', imported.id);

    console.log(`\nImport of a ${(container.bytes / 1024 / 1024).toFixed(0)} MiB container from a ${(archiveBytes / 1024 / 1024).toFixed(0)} MiB .tgz (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'MiB/s', 'seconds', 'peak RSS MiB', 'archive MiB'], [
      timingRow('stevedore import .tgz', container.bytes, timing, archiveBytes),
      timingRow('GNU tar -xzf', container.bytes, tarXzf, archiveBytes),
    ]);
  } finally {
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
