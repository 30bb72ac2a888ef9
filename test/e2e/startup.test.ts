// `npm start` on a machine that lacks what the embedded stack needs: it says what is missing
// within seconds and exits, and never leaves a process behind.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitWithin, spawnStevedore, type LocalProcess } from '../support/local-process.ts';

const pathDirs: string[] = [];
afterAll(() => pathDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A PATH of its own: node and sh, plus a fake `java` when given its script. */
function pathWith(java?: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'stevedore-path-'));
  pathDirs.push(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  if (java !== undefined) {
    writeFileSync(join(bin, 'java'), `#!/bin/sh\n${java}\n`);
    chmodSync(join(bin, 'java'), 0o755);
  }
  return bin;
}

const JAVA_17_VERSION = `if [ "$1" = -version ]; then echo 'openjdk version "17.0.9" 2023-10-17' >&2; exit 0; fi`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectGone(pid: number, withinMs = 6000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(isAlive(pid), `process ${pid} is still running`).toBe(false);
}

const started: LocalProcess[] = [];
afterEach(() => {
  for (const proc of started.splice(0)) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
});

function start(java?: string, underShell = false): LocalProcess {
  const proc = spawnStevedore({ PATH: pathWith(java) }, { underShell });
  started.push(proc);
  return proc;
}

/**
 * Waits until the fake emulator runs: start-up is then under way, its signal handlers long
 * installed. A fixed delay instead would race the loading of the modules on a busy machine.
 */
async function emulatorStarted(dataDir: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !existsSync(join(dataDir, 'fake-java.pid')); ) {
    if (Date.now() > deadline) throw new Error('the fake emulator never started');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start checks its prerequisites', () => {
  it('refuses to serve without a login on an address other machines reach, before starting anything', async () => {
    const proc = spawnStevedore({ HOST: '0.0.0.0', STEVEDORE_AUTH: 'anonymous' });
    started.push(proc);
    expect(await exitWithin(proc, 8000)).toBe(2);
    expect(proc.output()).toContain('STEVEDORE_AUTH: "anonymous" serves everyone who reaches the server without a login, so it is refused with HOST "0.0.0.0"');
    expect(proc.output()).not.toMatch(/DynamoDB Local on|ready/);
  });

  it('exits within seconds with one line naming Java and the command that installs it when java is not on the PATH', async () => {
    const proc = start();
    expect(await exitWithin(proc, 8000)).toBe(1);
    expect(proc.output()).toMatch(/java is not on the PATH.*Java 17.*apt-get install openjdk-17-jre-headless/);
    expect(proc.output().trim().split('\n')).toHaveLength(1);
  });

  it('exits within seconds naming the version found when java is older than 17', async () => {
    const proc = start(`echo 'java version "1.8.0_392"' >&2; exit 0`);
    expect(await exitWithin(proc, 8000)).toBe(1);
    expect(proc.output()).toMatch(/java is version 8; DynamoDB Local needs Java 17 or newer.*apt-get install openjdk-17-jre-headless/);
  });

  it('reports an emulator that dies during start-up with its last output, within seconds', async () => {
    const proc = start(`${JAVA_17_VERSION}\necho 'Error: Unable to access jarfile (fake java)' >&2; exit 3`);
    expect(await exitWithin(proc, 10_000)).toBe(1);
    expect(proc.output()).toMatch(/DynamoDB Local exited before it answered \(3\).*\n.*Unable to access jarfile \(fake java\)/);
  });

  // A java that never answers: the start-up waits for it (and says so in a file).
  const HANGING_JAVA = `${JAVA_17_VERSION}\necho $$ > "$STEVEDORE_DATA_DIR/fake-java.pid"\nexec node -e 'setInterval(() => {}, 1000)'`;

  it('stops what it started when SIGTERM arrives during start-up', async () => {
    const proc = start(HANGING_JAVA);
    await emulatorStarted(proc.dataDir);
    expect(proc.child.exitCode).toBeNull();
    proc.child.kill('SIGTERM');
    expect(await exitWithin(proc, 8000)).toBe(0);
    expect(proc.output()).toContain('SIGTERM, stopping');
    await expectGone(Number(readFileSync(join(proc.dataDir, 'fake-java.pid'), 'utf8')));
  });

  it('stops during start-up when its parent dies, leaving no process behind', async () => {
    const proc = start(HANGING_JAVA, true);
    await emulatorStarted(proc.dataDir);
    const pid = Number(/pid (\d+)/.exec(proc.output())![1]);
    expect(isAlive(pid)).toBe(true);
    proc.child.kill('SIGKILL');
    await expectGone(pid);
    await expectGone(Number(readFileSync(join(proc.dataDir, 'fake-java.pid'), 'utf8')));
  });
});
