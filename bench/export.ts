// Export benchmark: a generated container (text, binaries, random data, many small files)
// exported to .tgz and .tar through the real worker path (S3 emulator -> tar -> gzip ->
// multipart upload), next to GNU tar on the same tree, measured in the same run.
//   npm run bench:export            (256 MiB)
//   npm run bench:export -- 1024    (another size, in MiB)
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarEntries } from '../lib/archive/tar-reader.ts';
import { config } from '../lib/config.ts';
import { parseBodyPath } from '../lib/share/paths.ts';
import { shareStorage } from '../lib/share/storage.ts';
import { runtime } from '../lib/runtimes/index.ts';
import { createExportTask } from '../lib/tasks/export-request.ts';
import { startBenchStack, timeTaskInChild, type TaskTiming } from './support/stack.ts';
import { generateTree } from './support/tree.ts';
import { printTable } from './support/table.ts';

const MIB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 256);
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-export-'));
const tree = join(work, 'tree');

function timeCommand(command: string, args: string[]): TaskTiming {
  const started = performance.now();
  execFileSync(command, args, { stdio: 'ignore' });
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: Number.NaN };
}

try {
  console.log(`generating a ${sizeMiB} MiB root filesystem in ${tree} ...`);
  const bytes = generateTree(tree, sizeMiB);
  const tarCf = timeCommand('tar', ['-cf', join(work, 'gnu.tar'), '-C', tree, '.']);
  const tarCzf = timeCommand('tar', ['-czf', join(work, 'gnu.tgz'), '-C', tree, '.']);

  const stack = await startBenchStack(join(work, 'data'));
  try {
    console.log('loading the tree into the built-in runtime ...');
    await runtime().putImage('bench', 'latest', readTarEntries(createReadStream(join(work, 'gnu.tar'))));
    await runtime().create({ type: 'lxc', name: 'bench', image: 'bench', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {}, extra: {} });

    const rows: string[][] = [];
    const row = (what: string, timing: TaskTiming, outputBytes: number) =>
      rows.push([what, (bytes / MIB / timing.seconds).toFixed(1), timing.seconds.toFixed(2), Number.isNaN(timing.peakRssMiB) ? '-' : timing.peakRssMiB.toFixed(0), (outputBytes / MIB).toFixed(1)]);

    for (const [file, compress] of [
      ['bench.tgz', true],
      ['bench.tar', false],
    ] as const) {
      const task = await createExportTask('lxc', 'bench', { path: `test/${file}`, compress, force: true });
      console.log(`exporting to test/${file} ...`);
      const timing = await timeTaskInChild('export', task.id);
      const size = (await shareStorage().fileSize(parseBodyPath(`test/${file}`, config().shareFolders))) ?? 0;
      row(`stevedore export .${file.split('.')[1]}`, timing, size);
    }
    row('GNU tar -czf (gzip -6)', tarCzf, statSync(join(work, 'gnu.tgz')).size);
    row('GNU tar -cf', tarCf, statSync(join(work, 'gnu.tar')).size);

    console.log(`\nExport of a ${(bytes / MIB).toFixed(0)} MiB container (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'MiB/s', 'seconds', 'peak RSS MiB', 'output MiB'], rows);
  } finally {
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
