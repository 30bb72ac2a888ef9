// The record of where `npm start`'s emulators listen (infra/local/stack-record.ts), on a real
// disk: what a host worker given the data dir finds, and the one line it says when it finds
// nothing to use. That npm start writes it and a host worker uses it is tested end to end in
// test/e2e/host-worker.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRecordedStack, recordStack, removeStackRecord, stackRecordFile, useRecordedStack } from '../../infra/local/stack-record.ts';

const STACK = { dynamoEndpoint: 'http://127.0.0.1:40001', s3Endpoint: 'http://127.0.0.1:40002', tableName: 'stevedore', bucketName: 'stevedore-share' };
const dataDirs = mkdtempSync(join(tmpdir(), 'stevedore-record-'));
afterAll(() => rmSync(dataDirs, { recursive: true, force: true }));
const dataDir = () => mkdtempSync(join(dataDirs, 'data-'));
/** The pid of a process that has exited. */
const gonePid = () => spawnSync(process.execPath, ['-e', 'process.pid'], {}).pid!;

describe('the record of the embedded stack', () => {
  it('is found with the endpoints, table and bucket of the running npm start that wrote it', () => {
    const dir = dataDir();
    recordStack(dir, STACK);
    expect(findRecordedStack(dir)).toEqual({ record: { pid: process.pid, hostname: hostname(), ...STACK } });
  });

  it('says in words that a data dir records no stack, or one whose npm start is gone', () => {
    const dir = dataDir();
    expect(findRecordedStack(dir)).toEqual({ none: `${stackRecordFile(dir)} records no embedded stack` });
    const pid = gonePid();
    writeFileSync(stackRecordFile(dir), JSON.stringify({ pid, hostname: hostname(), ...STACK }));
    expect(findRecordedStack(dir)).toEqual({ none: `the embedded stack recorded in ${stackRecordFile(dir)} (npm start, pid ${pid}) is no longer running` });
    writeFileSync(stackRecordFile(dir), '{"pid": 1, "dynamoEndpoint": ');
    expect(findRecordedStack(dir)).toEqual({ none: `${stackRecordFile(dir)} records no embedded stack` });
  });

  it("trusts a record of another machine's npm start, whose process it cannot check", () => {
    const dir = dataDir();
    writeFileSync(stackRecordFile(dir), JSON.stringify({ pid: gonePid(), hostname: 'elsewhere', ...STACK }));
    expect(findRecordedStack(dir)).toMatchObject({ record: { hostname: 'elsewhere' } });
  });

  it('is removed only by the npm start that wrote it', () => {
    const dir = dataDir();
    writeFileSync(stackRecordFile(dir), JSON.stringify({ pid: gonePid(), hostname: hostname(), ...STACK }));
    removeStackRecord(dir);
    expect(existsSync(stackRecordFile(dir))).toBe(true);
    recordStack(dir, STACK);
    removeStackRecord(dir);
    expect(existsSync(stackRecordFile(dir))).toBe(false);
  });

  it('points the environment at the emulators with their credentials, keeping a table or bucket set there', () => {
    const env: NodeJS.ProcessEnv = { STEVEDORE_TABLE: 'mine', AWS_PROFILE: 'work', AWS_SESSION_TOKEN: 'token' };
    useRecordedStack({ pid: 1, hostname: 'h', ...STACK }, env);
    expect(env).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: STACK.dynamoEndpoint,
      AWS_ENDPOINT_URL_S3: STACK.s3Endpoint,
      STEVEDORE_TABLE: 'mine',
      STEVEDORE_BUCKET: 'stevedore-share',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  });
});
