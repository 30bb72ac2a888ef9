// The embedded stack's emulators leave nothing behind in the temporary directory, however they end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDynamoLocal } from '../../infra/local/emulators.ts';

/** The files a process has mapped whose name contains `part` (Linux's /proc). */
function mappedFiles(pid: number, part: string): string[] {
  const lines = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n');
  return [...new Set(lines.map((line) => line.split(/\s+/).slice(5).join(' ')).filter((file) => file.includes(part)))];
}

describe('DynamoDB Local', () => {
  it('leaves no copy of its SQLite library behind when it is killed', async () => {
    const emulator = await startDynamoLocal();
    // The library is unpacked at the first request that opens a database.
    const answer = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(answer.status).toBe(200);
    const pid = emulator.serverPid()!;
    const unpacked = mappedFiles(pid, 'sqlite4java').filter((file) => !file.includes('node_modules'));
    expect(unpacked).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
    await emulator.stop();
    expect(existsSync(unpacked[0]!)).toBe(false);
  }, 60_000);

  it('leaves no directory behind when the process that started it is killed', async () => {
    // Prepare: a process of its own starts DynamoDB Local and says the emulator's pid
    const script = `const { startDynamoLocal } = await import(${JSON.stringify(join(import.meta.dirname, '../../infra/local/emulators.ts'))});
const emulator = await startDynamoLocal();
console.log(emulator.serverPid());
setInterval(() => undefined, 1000);`;
    const starter = spawn(join('node_modules', '.bin', 'node'), ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await new Promise<string>((resolve) => starter.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
    const scratch = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((arg) => arg.startsWith('-Djava.io.tmpdir='))!.slice('-Djava.io.tmpdir='.length);
    expect(existsSync(scratch)).toBe(true);
    // Act
    starter.kill('SIGKILL');
    // Assess: the watchdog stops the emulator and removes its directory
    await expect.poll(() => existsSync(`/proc/${pid}`) || existsSync(scratch), { timeout: 20_000 }).toBe(false);
  }, 60_000);

  it('removes the directory of one whose starting process and watchdog were killed together, at the next start', async () => {
    // Prepare: the directory a killed process group left (its starter's pid is gone)
    const gonePid = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = join(tmpdir(), `stevedore-dynamodb-${gonePid}-orphan`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'sqlite-392-left-libsqlite4java.so'), 'x');
    // Act
    const emulator = await startDynamoLocal();
    await emulator.stop();
    // Assess
    expect(existsSync(orphan)).toBe(false);
  }, 60_000);
});
