// The embedded S3 emulator's CPU per byte: s3rver, started as `npm start` starts it, receives a
// multipart upload shaped like an export's (the worker's S3 client and upload code, its part size
// and parts in flight, parts signed UNSIGNED-PAYLOAD) and completes it, then serves it back; the
// read-back's MD5 must be that of the bytes sent. s3rver's CPU is read from /proc around each
// phase. With --profile, s3rver runs with `--cpu-prof` and its hot spots are printed at the end.
//   npm run bench:s3-emulator [-- SIZE_MIB] [--rounds=N] [--profile]   (default 278 MiB, 3 rounds)
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { S3RVER_CREDENTIALS, startS3rver, type Emulator } from '../infra/local/emulators.ts';
import { createClientSet } from '../lib/aws/client-set.ts';
import { partSizeFor } from '../lib/aws/part-size.ts';
import { s3Client } from '../lib/aws/s3-client.ts';
import { s3Transfers } from '../lib/aws/s3-transfers.ts';
import { loadConfig } from '../lib/config.ts';
import { PARTS_IN_FLIGHT } from '../lib/share/s3-share-storage.ts';
import { roundsOption } from './support/args.ts';
import { printTable } from './support/table.ts';

const args = process.argv.slice(2);
const sizeMiB = Number(args.find((a) => !a.startsWith('--')) ?? 278);
const rounds = roundsOption(args, 3);
const profile = args.includes('--profile');
const MIB = 1024 * 1024;
const bytes = sizeMiB * MIB;
const BUCKET = 'bench';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
interface Cpu {
  user: number;
  sys: number;
}
function cpuSeconds(pid: number): Cpu {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, sys: Number(fields[12]) / TICKS_PER_SECOND };
}

/** The archive's bytes as the tar stage yields them: 1 MiB chunks, from a pool of random data (incompressible, unhashed by anyone but s3rver). */
const pool = randomBytes(16 * MIB);
async function* body(): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes; offset += MIB) yield pool.subarray(offset % pool.length, (offset % pool.length) + Math.min(MIB, bytes - offset));
}
const sentMd5 = (() => {
  const hash = createHash('md5');
  for (let offset = 0; offset < bytes; offset += MIB) hash.update(pool.subarray(offset % pool.length, (offset % pool.length) + Math.min(MIB, bytes - offset)));
  return hash.digest('hex');
})();

const work = mkdtempSync(join(tmpdir(), 'stevedore-bench-s3-emulator-'));
const profileDir = join(work, 'profile');
const phases: { name: string; from: number; to: number }[] = [];
let emulator: Emulator | undefined;
try {
  emulator = await startS3rver({ dataDir: join(work, 's3'), nodeOptions: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  const pid = emulator.serverPid();
  if (pid === undefined) throw new Error('s3rver has no process id');
  const config = loadConfig({ AWS_ENDPOINT_URL_S3: emulator.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, STEVEDORE_LOG_LEVEL: 'ERROR' });
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  const clients = createClientSet(config);
  const s3 = clients.get(s3Client);
  const transfers = clients.get(s3Transfers);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const partSize = partSizeFor(bytes, config.uploadPartBytes);
  console.log(`s3rver ${emulator.endpoint} (pid ${pid}): ${sizeMiB} MiB in ${partSize / MIB} MiB parts, ${PARTS_IN_FLIGHT} in flight, ${rounds} round(s)`);

  const rows: string[][] = [];
  /** CLOCK_MONOTONIC in µs, the clock of V8's profile timestamps. */
  const now = () => Number(process.hrtime.bigint() / 1000n);
  const row = (round: number, phase: string, mib: number, seconds: number, from: Cpu, to: Cpu) => {
    const sys = to.sys - from.sys;
    const cpu = to.user - from.user + sys;
    rows.push([String(round), phase, mib.toFixed(0), seconds.toFixed(2), cpu.toFixed(2), sys.toFixed(2), cpu > 0 ? (mib / cpu).toFixed(0) : '-']);
  };
  for (let round = 1; round <= rounds; round++) {
    const key = `round-${round}.tar`;
    const start = performance.now();
    const cpuStart = cpuSeconds(pid);
    const partsStart = now();
    let partsDone = { at: 0, cpu: cpuStart };
    await transfers.upload({
      bucket: BUCKET,
      key,
      body: body(),
      partSize,
      concurrency: PARTS_IN_FLIGHT,
      contentType: 'application/x-tar',
      beforeCommit: async () => {
        partsDone = { at: performance.now(), cpu: cpuSeconds(pid) };
        phases.push({ name: 'parts', from: partsStart, to: now() });
      },
    });
    const end = performance.now();
    phases.push({ name: 'completion', from: phases.at(-1)!.to, to: now() });
    const cpuEnd = cpuSeconds(pid);
    row(round, 'parts', sizeMiB, (partsDone.at - start) / 1000, cpuStart, partsDone.cpu);
    row(round, 'completion', sizeMiB, (end - partsDone.at) / 1000, partsDone.cpu, cpuEnd);
    row(round, 'upload', sizeMiB, (end - start) / 1000, cpuStart, cpuEnd);

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    if (head.ContentLength !== bytes) throw new Error(`${key}: HEAD says ${head.ContentLength} bytes, ${bytes} were sent`);
    const readStart = performance.now();
    const readCpu = cpuSeconds(pid);
    const readFrom = now();
    const { body: stream } = await transfers.read(BUCKET, key);
    const hash = createHash('md5');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== sentMd5) throw new Error(`${key}: the bytes read back differ from those sent`);
    phases.push({ name: 'read back', from: readFrom, to: now() });
    row(round, 'read back', sizeMiB, (performance.now() - readStart) / 1000, readCpu, cpuSeconds(pid));
  }
  clients.destroy();
  printTable(['round', 'phase', 'MiB', 's', 's3rver CPU s', 'of which sys', 'MiB per CPU s'], rows);
} finally {
  await emulator?.stop();
  if (profile) {
    for (const file of existsSync(profileDir) ? readdirSync(profileDir) : []) printProfile(join(profileDir, file));
  }
  rmSync(work, { recursive: true, force: true });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** s3rver's CPU by package and by function (self time) in each phase, from its V8 profile; idle left out. */
function printProfile(file: string): void {
  const { nodes, samples, timeDeltas, startTime } = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const phaseOf = (at: number) => phases.find((p) => p.from <= at && at < p.to)?.name ?? 'start, requests between';
  const tables = new Map<string, { packages: Map<string, number>; functions: Map<string, number> }>();
  const add = (map: Map<string, number>, name: string, ms: number) => map.set(name, (map.get(name) ?? 0) + ms);
  let at = startTime;
  samples.forEach((id, i) => {
    const ms = (timeDeltas[i] ?? 0) / 1000;
    at += timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    const phase = phaseOf(at);
    if (!tables.has(phase)) tables.set(phase, { packages: new Map(), functions: new Map() });
    const { packages, functions } = tables.get(phase)!;
    const where = url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*\/infra\//, 'infra/');
    add(functions, `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`, ms);
    const pkg = url === '' ? functionName : /node_modules\//.test(url) ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1') : url.startsWith('node:') ? url.split('/').slice(0, 2).join('/') : where;
    add(packages, pkg, ms);
  });
  const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => [name, (ms / 1000).toFixed(2)]);
  const total = (map: Map<string, number>) => ([...map.values()].reduce((a, b) => a + b, 0) / 1000).toFixed(2);
  console.log(`\ns3rver's main thread, from its profile (${file})`);
  for (const [phase, { packages, functions }] of tables) {
    console.log(`\n${phase}: ${total(packages)} s busy, self time by package or Node module, then by function`);
    printTable(['where', 'CPU s'], top(packages, 10));
    printTable(['function', 'CPU s'], top(functions, 12));
  }
}
