// API load benchmark: autocannon against GET /api/v1/export/, a share-folder listing and a
// progress long poll at concurrency 1, 16, 64 and 256, next to the floor: a direct DynamoDB
// Query and S3 ListObjectsV2 from this process at the same concurrency, in one run.
//   npm run bench:api-load            (5 s per cell)
//   npm run bench:api-load -- 10      (another duration, in seconds)
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalApp, loadFunctions, startServer } from '../infra/local/server.ts';
import { startBenchStack } from './support/stack.ts';
import { printTable } from './support/table.ts';

const seconds = Number(process.argv[2] ?? 5);
const CONCURRENCY = [1, 16, 64, 256];
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-api-'));

/** Requests/s and latency percentiles of `fn` run by `concurrency` loops for `seconds`. */
async function floor(concurrency: number, fn: () => Promise<unknown>): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const started = performance.now();
      await fn();
      latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

try {
  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    const { aws, config } = services;
    for (const key of ['bench/', ...Array.from({ length: 20 }, (_, i) => `bench/file-${i}.txt`)]) await aws.s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: key, Body: 'x' }));
    const server = await startServer(createLocalApp(await loadFunctions(), services), '127.0.0.1', 0);
    const rows: string[][] = [];
    const row = (what: string, c: number, r: { rps: number; p50: number; p99: number }) => rows.push([what, String(c), r.rps.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1)]);
    try {
      for (const c of CONCURRENCY) {
        for (const [what, path] of [['GET /api/v1/export/', '/api/v1/export/'], ['GET /api/v1/sharefolder/bench/', '/api/v1/sharefolder/bench/'], ['GET /api/v1/export/progress?cursor=0', '/api/v1/export/progress?cursor=0']] as const) {
          const result = await autocannon({ url: server.url + path, connections: c, duration: seconds });
          row(what, c, { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
        }
        row('floor: DynamoDB Query (tasks)', c, await floor(c, () => aws.dynamo.send(new QueryCommand({ TableName: config.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'TASK#export' } } }))));
        row('floor: S3 ListObjectsV2 (folder)', c, await floor(c, () => aws.s3.send(new ListObjectsV2Command({ Bucket: config.bucketName, Prefix: 'bench/', Delimiter: '/' }))));
      }
    } finally {
      await server.close();
    }
    console.log(`\nAPI load, ${seconds} s per row (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'concurrency', 'requests/s', 'p50 ms', 'p99 ms'], rows);
  } finally {
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
