// The benchmarks' container on a private Docker engine: the generated tree imported as an
// image and created as a container, with the tree and its tar removed afterwards (vfs already
// keeps two full copies of it).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { generateBenchTree, type BenchContainer } from './container.ts';

export function loadDockerBenchContainer(dockerHost: string, work: string, sizeMiB: number, name = 'bench'): BenchContainer {
  const container = generateBenchTree(work, sizeMiB);
  execFileSync('tar', ['-cf', container.gnuTar, '-C', container.tree, '.']);
  console.log(`loading the tree into the engine as container "${name}" ...`);
  execFileSync('docker', ['-H', dockerHost, 'import', container.gnuTar, `${name}:latest`], { stdio: 'ignore' });
  execFileSync('docker', ['-H', dockerHost, 'create', '--name', name, `${name}:latest`, '/bin/sh'], { stdio: 'ignore' });
  rmSync(container.tree, { recursive: true, force: true });
  rmSync(container.gnuTar, { force: true });
  return container;
}
