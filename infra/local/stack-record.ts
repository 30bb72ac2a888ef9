// Where `npm start`'s emulators listen, recorded in <data dir>/stack.json while it runs, so that
// a host worker (`npm run worker`) given the same STEVEDORE_DATA_DIR and no endpoint finds
// them, with the table and bucket they serve. The emulators listen on loopback (s3rver binds
// 127.0.0.1 only), so the record serves a host worker on the same machine; one elsewhere is
// given the endpoints instead (an SSH tunnel, for example).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../lib/process-alive.ts';
import { S3RVER_CREDENTIALS } from './emulators.ts';

export interface StackRecord {
  /** The `npm start` that wrote it, and on which machine. */
  pid: number;
  hostname: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucketName: string;
}

export const stackRecordFile = (dataDir: string) => join(dataDir, 'stack.json');

export function recordStack(dataDir: string, record: Omit<StackRecord, 'pid' | 'hostname'>): void {
  const file = stackRecordFile(dataDir);
  // Written whole then renamed, so a reader never meets half a file.
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify({ pid: process.pid, hostname: hostname(), ...record } satisfies StackRecord));
  renameSync(temporary, file);
}

/** Removes the record if this process wrote it: a later `npm start` on the same data dir may have replaced it. */
export function removeStackRecord(dataDir: string): void {
  if (readRecord(stackRecordFile(dataDir))?.pid === process.pid) rmSync(stackRecordFile(dataDir), { force: true });
}

/** The running embedded stack recorded in `dataDir`, or why there is none, in words. */
export function findRecordedStack(dataDir: string): { record: StackRecord } | { none: string } {
  const file = stackRecordFile(dataDir);
  const record = readRecord(file);
  if (!record) return { none: `${file} records no embedded stack` };
  // Only a process of this machine can be checked; after a crash the record outlives its stack.
  if (record.hostname === hostname() && !isProcessAlive(record.pid)) return { none: `the embedded stack recorded in ${file} (npm start, pid ${record.pid}) is no longer running` };
  return { record };
}

/** Points the environment (and so the configuration read from it next) at the recorded stack, keeping a table or bucket set there. */
export function useRecordedStack(record: StackRecord, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL_DYNAMODB = record.dynamoEndpoint;
  env.AWS_ENDPOINT_URL_S3 = record.s3Endpoint;
  env.STEVEDORE_TABLE ||= record.tableName;
  env.STEVEDORE_BUCKET ||= record.bucketName;
  // The emulators' own credentials: DynamoDB Local (-sharedDb) takes any, s3rver only these.
  env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
}

function readRecord(file: string): StackRecord | undefined {
  let parsed: Partial<StackRecord>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackRecord>;
  } catch {
    return undefined; // none yet, or unreadable: nothing to use
  }
  const strings = [parsed.hostname, parsed.dynamoEndpoint, parsed.s3Endpoint, parsed.tableName, parsed.bucketName];
  return Number.isInteger(parsed.pid) && strings.every((s) => typeof s === 'string' && s !== '') ? (parsed as StackRecord) : undefined;
}
