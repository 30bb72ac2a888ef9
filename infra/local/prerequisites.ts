// What the embedded stack needs from the machine, checked before anything starts: a missing
// or too old Java otherwise shows up only as an emulator that never answers.
import { spawnSync } from 'node:child_process';

/** DynamoDB Local 3.x runs on Java 17 or newer. */
export const MIN_JAVA = 17;
const INSTALL_JAVA = 'install it with `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or any Java 17+ runtime';

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

/** The major version `java -version` reports: `1.8.0_392` is 8, `17.0.9` is 17, `21` is 21. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Throws a one-line PrerequisiteError when `java` is missing, does not run, or is older than 17. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): void {
  const run = spawnSync('java', ['-version'], { env, encoding: 'utf8', timeout: 15_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new PrerequisiteError(`java is not on the PATH; DynamoDB Local needs Java ${MIN_JAVA} or newer: ${INSTALL_JAVA}`);
  }
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`;
  const major = javaMajorVersion(output);
  if (run.error || run.status !== 0 || major === undefined) {
    const said = output.trim().split('\n')[0]?.slice(0, 200) || run.error?.message || `exit status ${run.status}`;
    throw new PrerequisiteError(`\`java -version\` failed (${said}); DynamoDB Local needs Java ${MIN_JAVA} or newer: ${INSTALL_JAVA}`);
  }
  if (major < MIN_JAVA) {
    throw new PrerequisiteError(`java is version ${major}; DynamoDB Local needs Java ${MIN_JAVA} or newer: ${INSTALL_JAVA}`);
  }
}
