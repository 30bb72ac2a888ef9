// API load benchmark: autocannon against GET /api/v1/export/, a share-folder listing and a
// progress long poll at concurrency 1, 16, 64 and 256, next to the floor: a direct DynamoDB
// Query and S3 ListObjectsV2 from this process at the same concurrency, in one run. The table
// holds a few exports that ran (so the task list has rows, and a poll from cursor 0 answers at
// once with them, as a client catching up does), and every route is checked to answer 200
// before it is timed; a route that answered anything else while timed fails the run.
//   npm run bench:api-load            (5 s per cell)
//   npm run bench:api-load -- 10      (another duration, in seconds)
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionDemoImage } from '../infra/local/demo-image.ts';
import { createLocalApp, loadFunctions, startServer } from '../infra/local/server.ts';
import { startWorkerHost } from '../infra/local/worker-host.ts';
import type { ComposedServices } from '../lib/services.ts';
import { startBenchStack } from './support/stack.ts';
import { printTable } from './support/table.ts';

const seconds = Number(process.argv[2] ?? 5);
const CONCURRENCY = [1, 16, 64, 256];
const EXPORTS = 5;
const ROUTES = [
  ['GET /api/v1/export/', '/api/v1/export/'],
  ['GET /api/v1/sharefolder/test/bench/', '/api/v1/sharefolder/test/bench/'],
  ['GET /api/v1/export/progress?cursor=0', '/api/v1/export/progress?cursor=0'],
] as const;
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

/** Exports of a demo container that ran to completion, by a worker stopped before the load. */
async function runExports(url: string, services: ComposedServices): Promise<void> {
  await provisionDemoImage(services.builtinRuntime);
  const workers = await startWorkerHost(services);
  try {
    const created = await fetch(`${url}/api/v1/container`, { method: 'POST', body: JSON.stringify({ type: 'lxc', name: 'bench', image: 'demo', tag: 'latest' }) });
    if (created.status !== 200) throw new Error(`the bench container was not made: ${created.status} ${await created.text()}`);
    for (let i = 0; i < EXPORTS; i++) {
      const task = await fetch(`${url}/api/v1/container/lxc/bench/export`, { method: 'POST', body: JSON.stringify({ path: `test/bench-${i}.tar` }) });
      if (task.status !== 200) throw new Error(`the bench export ${i} answered ${task.status}: ${await task.text()}`);
    }
    for (const deadline = Date.now() + 120_000; ; ) {
      const tasks = (await (await fetch(`${url}/api/v1/export/`)).json()) as { state: string }[];
      if (tasks.length === EXPORTS && tasks.every((t) => t.state === 'completed')) break;
      if (Date.now() > deadline) throw new Error(`the bench exports did not complete: ${JSON.stringify(tasks)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await workers.stop();
  }
}

try {
  const { stack, services } = await startBenchStack(join(work, 'data'));
  try {
    const { aws, config } = services;
    // The share folder `test` (the only one by default) with a folder of 20 files in it.
    for (const key of ['test/', 'test/bench/', ...Array.from({ length: 20 }, (_, i) => `test/bench/file-${i}.txt`)]) await aws.s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: key, Body: key.endsWith('/') ? '' : 'x' }));
    const server = await startServer(createLocalApp(await loadFunctions(), services), '127.0.0.1', 0);
    const rows: string[][] = [];
    const refused: string[] = [];
    /** A row; the floor's calls have no HTTP answers to count (a failed call ends the run). */
    const row = (what: string, c: number, r: { rps: number; p50: number; p99: number }, answers?: { non2xx: number; errors: number }) =>
      rows.push([what, String(c), r.rps.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), answers ? String(answers.non2xx) : '-', answers ? String(answers.errors) : '-']);
    try {
      await runExports(server.url, services);
      for (const [what, path] of ROUTES) {
        const answer = await fetch(server.url + path);
        if (answer.status !== 200) throw new Error(`${what} answered ${answer.status} before the load: ${await answer.text()}`);
      }
      for (const c of CONCURRENCY) {
        for (const [what, path] of ROUTES) {
          const result = await autocannon({ url: server.url + path, connections: c, duration: seconds });
          if (result.requests.total === 0) rows.push([what, String(c), '0', '-', '-', String(result.non2xx), String(result.errors)]);
          else row(what, c, { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }, result);
          if (result.non2xx > 0) refused.push(`${what} at concurrency ${c}: ${result.non2xx} answers other than 2xx`);
        }
        row('floor: DynamoDB Query (tasks)', c, await floor(c, () => aws.dynamo.send(new QueryCommand({ TableName: config.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'TASK#export' } } }))));
        row('floor: S3 ListObjectsV2 (folder)', c, await floor(c, () => aws.s3.send(new ListObjectsV2Command({ Bucket: config.bucketName, Prefix: 'test/bench/', Delimiter: '/' }))));
      }
    } finally {
      await server.close();
    }
    console.log(`\nAPI load, ${seconds} s per row (${process.version}, ${cpus().length} cores)\n`);
    printTable(['what', 'concurrency', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], rows);
    console.log('\n(errors: connections that failed or timed out; a row whose requests all took longer than the duration reads 0 and -)');
    if (refused.length > 0) {
      console.error(`\nthe load was answered with errors, so its figures are not those of the routes:\n${refused.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
