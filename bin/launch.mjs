// What bin/stevedore and bin/stevedore-worker share: run a TypeScript entry of the repository
// on the Node the repository installed (node_modules/.bin/node, the Lambda runtime's major)
// whichever Node runs the launcher, pass SIGTERM and SIGINT on, and exit as the entry does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repository = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs `entry` (a path inside the repository) with the launcher's arguments; `name` prefixes its own errors. */
export function launch(name, entry) {
  const repositoryNode = join(repository, 'node_modules', '.bin', 'node');
  const node = existsSync(repositoryNode) ? repositoryNode : process.execPath;
  const tsx = pathToFileURL(join(repository, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(node, ['--import', tsx, join(repository, entry), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`${name}: cannot run ${node}: ${err.message}`);
    process.exit(1);
  });
  // Ended by a signal: the shell's convention, 128 + its number (130 for SIGINT, 137 for SIGKILL).
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
}
