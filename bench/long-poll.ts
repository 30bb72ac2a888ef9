// Long-poll wake benchmark: 200 clients (in a process of their own) follow a running export
// through GET /api/v1/export/progress on the local server (the worker in the same process, as
// in `npm start`), each sending back its cursor. For every poll that was waiting when a task write
// (a progress write, the claim, the end) was sent, the wake latency is the time from sending
// that write to the poll's answer arriving. One export per re-check interval, side by side in
// one run, with the change-counter reads and task queries counted by a middleware on the
// DynamoDB client. `--finished-tasks=N` first fills the table with N finished exports, as a
// stack that has run for a while holds (they stay 30 days): a wake must cost what changed.
//   npm run bench:long-poll                      (200 clients; intervals 100, 200, 250 ms; 96 MiB)
//   npm run bench:long-poll -- 200 250,150 128   (clients, intervals, MiB of the container)
//   npm run bench:long-poll -- 200 100 192 --finished-tasks=10000
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalApp, loadFunctions, startServer } from '../infra/local/server.ts';
import { startWorkerHost } from '../infra/local/worker-host.ts';
import type { ArchiveEntry } from '../lib/archive/entry.ts';
import { countPollReads } from '../lib/aws/command-log.ts';
import { LONG_POLL_HEADROOM_SECONDS } from '../lib/config.ts';
import type { ComposedServices } from '../lib/services.ts';
import { TASK_RECORD_TYPE, taskKey } from '../lib/tasks/dynamo-task-store.ts';
import type { TaskRecord } from '../lib/tasks/model.ts';
import { numberOption } from './support/args.ts';
import { startBenchStack } from './support/stack.ts';
import { printTable } from './support/table.ts';

const args = process.argv.slice(2);
const positional = args.filter((arg) => !arg.startsWith('--'));
const clients = Number(positional[0] ?? 200);
const intervals = (positional[1] ?? '100,200,250').split(',').map(Number);
const sizeMiB = Number(positional[2] ?? 96);
const finishedTasks = numberOption(args, 'finished-tasks', 0);
const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-long-poll-'));

interface Poll {
  openedAt: number;
  answeredAt: number;
  status: number;
  changed: boolean;
}

const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(0), linkname: '', devmajor: 0, devminor: 0 };
async function* randomRootfs(files: number): AsyncGenerator<ArchiveEntry> {
  yield { header: { ...ROOT, name: 'data', type: 'directory', mode: 0o755, size: 0 }, body: (async function* () {})() };
  for (let i = 0; i < files; i++) {
    yield { header: { ...ROOT, name: `data/blob-${i}`, type: 'file', mode: 0o644, size: 1024 * 1024 }, body: (async function* () { yield randomBytes(1024 * 1024); })() };
  }
}

/** Whether a command is a task write a long poll reports: it sets the task's changeSeq. */
function isTaskChange(name: string, input: Record<string, any>): boolean {
  if (name === 'UpdateItem') return String(input.UpdateExpression).includes('changeSeq');
  if (name === 'TransactWriteItems') return (input.TransactItems ?? []).some((i: any) => String(i.Update?.UpdateExpression ?? '').includes('changeSeq'));
  return false;
}

/** `count` finished exports, written straight into the table (25 per request), with ids above any the stack gives. */
async function seedFinishedTasks(services: ComposedServices, count: number): Promise<void> {
  const FIRST_ID = 1_000_000_000;
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) => {
      const id = FIRST_ID + start + i;
      const task: TaskRecord = {
        kind: 'export', id, state: 'completed', type: 'lxc', cid: 'seeded', cname: `seeded-${id}`, user: 'Anonymous',
        path: `/test/seeded/${id}.tgz`, segments: ['test', 'seeded', `${id}.tgz`], init: 1_765_000_000, start: 1_765_000_001, end: 1_765_000_060,
        progress: 100, bytesDone: 268_435_456, bytesTotal: 268_435_456, result: 0, compress: true, changeSeq: 0,
      };
      return { PutRequest: { Item: marshall({ ...taskKey('export', id), recordType: TASK_RECORD_TYPE, ...task }, { removeUndefinedValues: true }) } };
    });
    await services.aws.dynamo.send(new BatchWriteItemCommand({ RequestItems: { [services.config.tableName]: batch } }));
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** The clients, in a process of their own: `start` runs once every one of them waits in a poll, and they follow what it starts until it ends. */
async function followInChild(url: string, start: () => Promise<void>): Promise<{ polls: Poll[]; resets: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'support', 'poll-clients.mjs'), url, String(clients)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let started: Promise<void> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!started && output.startsWith('waiting\n')) started = start();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve)); // after stdout's last bytes
  if (code !== 0 || !started) throw new Error(`the poll clients exited with ${code}`);
  await started;
  return JSON.parse(output.slice('waiting\n'.length)) as { polls: Poll[]; resets: number };
}

/** One row per task write: when it was sent (after the phase's first), how long DynamoDB took to answer it, how many polls it woke, and how fast. */
function wakesByWrite(intervalMs: number, writes: number[], answeredAfter: ReadonlyMap<number, number>, polls: Poll[]): string[][] {
  const woken = new Map<number, number[]>(writes.map((w) => [w, []]));
  for (const poll of polls.filter((p) => p.changed)) {
    const cause = writes.find((w) => w > poll.openedAt && w <= poll.answeredAt);
    if (cause !== undefined) woken.get(cause)!.push(poll.answeredAt - cause);
  }
  return writes.map((write) => {
    const wakes = woken.get(write)!.sort((a, b) => a - b);
    const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));
    return [String(intervalMs), ms(write - writes[0]!), ms(answeredAfter.get(write)), String(wakes.length), ms(wakes[0]), ms(wakes.length > 0 ? percentile(wakes, 50) : undefined), ms(wakes.at(-1))];
  });
}

const byWrite: string[][] = [];

async function phase(services: ComposedServices, intervalMs: number): Promise<string[]> {
  const config = { ...services.config, pollIntervalMs: intervalMs };
  const withInterval = Object.create(services, { config: { value: config } }) as ComposedServices;
  const server = await startServer(createLocalApp(await loadFunctions(), withInterval), '127.0.0.1', 0);
  const writes: number[] = [];
  /** How long DynamoDB took to answer each write: a wake cannot come before. */
  const answeredAfter = new Map<number, number>();
  /** The progress writes among them (UpdateItem); the claim and the end are transactions. */
  const progressWrites = new Set<number>();
  const stopWatching = services.aws.doc.watch(({ operation, input, startedAt, endedAt }) => {
    if (!isTaskChange(operation, input)) return;
    writes.push(performance.timeOrigin + startedAt);
    answeredAfter.set(performance.timeOrigin + startedAt, endedAt - startedAt);
    if (operation === 'UpdateItem') progressWrites.add(performance.timeOrigin + startedAt);
  });
  const reads = countPollReads(services.aws.doc, 'export');
  try {
    console.log(`interval ${intervalMs} ms: ${clients} clients wait in a poll, then follow an export ...`);
    let started = 0;
    const { polls, resets } = await followInChild(server.url, async () => {
      started = performance.now();
      const created = await fetch(`${server.url}/api/v1/container/lxc/wake/export`, { method: 'POST', body: JSON.stringify({ path: `test/wake-${intervalMs}.tgz`, force: true }) });
      if (created.status !== 200) throw new Error(`the export was refused: ${created.status} ${await created.text()}`);
    });
    const seconds = (performance.now() - started) / 1000;
    // A wake: a poll that was open when a write was sent and answered with the change.
    const wakes: number[] = [];
    const progressWakes: number[] = [];
    let immediate = 0;
    for (const poll of polls.filter((p) => p.changed)) {
      const cause = writes.find((w) => w > poll.openedAt && w <= poll.answeredAt);
      if (cause === undefined) immediate++;
      else wakes.push(poll.answeredAt - cause);
      if (cause !== undefined && progressWrites.has(cause)) progressWakes.push(poll.answeredAt - cause);
    }
    progressWakes.sort((a, b) => a - b);
    byWrite.push(...wakesByWrite(intervalMs, writes, answeredAfter, polls));
    wakes.sort((a, b) => a - b);
    const boundMs = (config.pollBoundMs / 1000 + LONG_POLL_HEADROOM_SECONDS) * 1000;
    const withinBound = polls.filter((p) => p.status === 200 && p.answeredAt - p.openedAt <= boundMs).length;
    const ms = (v: number) => v.toFixed(0);
    return [
      String(intervalMs),
      ms(percentile(wakes, 50)),
      ms(percentile(wakes, 95)),
      ms(percentile(wakes, 99)),
      `${ms(percentile(progressWakes, 50))} / ${ms(percentile(progressWakes, 95))}`,
      ms(wakes.at(-1) ?? Number.NaN),
      String(wakes.length),
      String(immediate),
      `${withinBound}/${polls.length}`,
      (reads.counts.counterReads / ((seconds * 1000) / intervalMs)).toFixed(2),
      String(reads.counts.taskQueries),
      String(writes.length),
      String(resets),
      seconds.toFixed(1),
      ((3600 * 1000) / intervalMs).toFixed(0),
    ];
  } finally {
    stopWatching();
    reads.stop();
    await server.close();
  }
}

try {
  process.env.STEVEDORE_LOG_LEVEL ??= 'ERROR';
  const { stack, services } = await startBenchStack(join(work, 'data'));
  if (finishedTasks > 0) {
    // Before the worker starts: its stream poller reads past them while the container loads.
    console.log(`writing ${finishedTasks} finished exports into the table ...`);
    await seedFinishedTasks(services, finishedTasks).catch(async (err: unknown) => {
      await stack.stop();
      throw err;
    });
  }
  const workers = await startWorkerHost(services);
  try {
    console.log(`loading a ${sizeMiB} MiB container of random data as "wake" ...`);
    await services.builtinRuntime.putImage('wake', 'latest', randomRootfs(sizeMiB));
    await services.builtinRuntime.create({ type: 'lxc', name: 'wake', image: 'wake', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} });
    const rows: string[][] = [];
    for (const interval of intervals) rows.push(await phase(services, interval));
    const table = finishedTasks > 0 ? `, ${finishedTasks} finished exports in the table` : '';
    console.log(`\nLong-poll wake: ${clients} concurrent progress polls during a ${sizeMiB} MiB export to .tgz${table} (${process.version}, ${cpus().length} cores)\n`);
    printTable(
      ['interval ms', 'p50 ms', 'p95 ms', 'p99 ms', 'progress writes only: p50 / p95 ms', 'max ms', 'wakes', 'catch-ups', 'answered within bound', 'counter reads per interval', 'task queries', 'task writes', 'connection resets', 'seconds', 'Lambda reads per waiting poll-hour'],
      rows,
    );
    console.log('\nWakes by task write (the claim, each progress write, the end)\n');
    printTable(['interval ms', 'write sent at ms', 'write answered after ms', 'polls woken', 'min ms', 'p50 ms', 'max ms'], byWrite);
    console.log('\nwake: from sending a task write (progress, claim, end) to the answer of a poll that was waiting for it');
    console.log('progress writes only: the wakes of progress writes (UpdateItem), leaving out the claim and the end, which are DynamoDB transactions');
    console.log('catch-ups: answers at once to a poll whose cursor was behind (a change between two polls of a client)');
  } finally {
    await workers.stop();
    await stack.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
