// The benchmarks' container on a private Docker engine: the generated tree imported as an
// image and created as a container, with the tree and its tar removed afterwards (vfs already
// keeps two full copies of it).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { generateBenchTree, type BenchContainer } from './container.ts';

/**
 * Waits for the engine without blocking this process: a 4 GiB import takes minutes, and an event
 * loop held that long missed the engine closing its kept-alive socket, whose next request then
 * failed with EPIPE.
 */
export async function loadDockerBenchContainer(dockerHost: string, work: string, sizeMiB: number, name = 'bench'): Promise<BenchContainer> {
  const run = promisify(execFile);
  const container = generateBenchTree(work, sizeMiB);
  await run('tar', ['-cf', container.gnuTar, '-C', container.tree, '.']);
  console.log(`loading the tree into the engine as container "${name}" ...`);
  await run('docker', ['-H', dockerHost, 'import', container.gnuTar, `${name}:latest`]);
  await run('docker', ['-H', dockerHost, 'create', '--name', name, `${name}:latest`, '/bin/sh']);
  rmSync(container.tree, { recursive: true, force: true });
  rmSync(container.gnuTar, { force: true });
  return container;
}
