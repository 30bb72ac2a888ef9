// Export benchmark: a generated container (text, binaries, random data, many small files)
// exported to .tgz and .tar through the real worker path (S3 emulator -> tar -> gzip ->
// multipart upload), next to GNU tar on the same tree, measured in the same run.
//   npm run bench:export            (256 MiB)
//   npm run bench:export -- 1024    (another size, in MiB)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBenchTree, loadBenchContainer, timeCommand, timingRow } from './support/container.ts';
import { startBenchStack, timeOurExports } from './support/stack.ts';
import { printTable } from './support/table.ts';

const sizeMiB = Number(process.argv[2] ?? 256);
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-export-'));

try {
  const container = generateBenchTree(work, sizeMiB);
  const tarCf = timeCommand('tar', ['-cf', container.gnuTar, '-C', container.tree, '.']);
  const tarCzf = timeCommand('tar', ['-czf', join(work, 'gnu.tgz'), '-C', container.tree, '.']);

  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    await loadBenchContainer(services, container);
    const { rows } = await timeOurExports(services, 'lxc', 'bench', container.bytes);
    rows.push(timingRow('GNU tar -czf (gzip -6)', container.bytes, tarCzf, statSync(join(work, 'gnu.tgz')).size));
    rows.push(timingRow('GNU tar -cf', container.bytes, tarCf, statSync(container.gnuTar).size));

    console.log(`\nExport of a ${(container.bytes / 1024 / 1024).toFixed(0)} MiB container (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'MiB/s', 'seconds', 'peak RSS MiB', 'output MiB'], rows);
  } finally {
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
