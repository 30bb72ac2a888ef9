// The embedded stack's emulators leave nothing behind in the temporary directory, however they end.
import { existsSync, readFileSync } from 'node:fs';
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
});
