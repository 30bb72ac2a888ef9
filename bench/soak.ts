// The soak: the reliability runners of test/reliability/support in their long forms, one after
// the other in this process, against emulators of its own (DynamoDB Local and s3rver, as
// `npm start` runs them) and a stack (table, bucket, local server, worker) of each case's own.
// It prints a table (case, count, passed/failed, seconds, seed) and, for every failed case,
// what went wrong and the command that reproduces it; it exits 1 when a case failed.
//   npm run soak                       (every case)
//   npm run soak -- fuzz long-poll     (the cases named)
// Counts: STEVEDORE_SOAK_LOAD_TASKS (50), STEVEDORE_FUZZ_REQUESTS (20000: two thirds anonymous,
// a third with a session required, as in npm test) and STEVEDORE_FUZZ_SEED (a new one),
// STEVEDORE_SOAK_POLL_CLIENTS (500) and STEVEDORE_SOAK_POLL_ROUNDS (3),
// STEVEDORE_SOAK_DUPLICATE_ROUNDS (10, of 5 tasks each).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators, useEmulators } from '../infra/local/stack.ts';
import { stackEnvironment, startStack, type StackOptions, type TestStack } from '../test/support/stack-start.ts';
import { runDuplicateDelivery } from '../test/reliability/support/duplicate-run.ts';
import { describeFindings, runFuzz } from '../test/reliability/support/fuzz-run.ts';
import { prepareFuzzTarget } from '../test/reliability/support/fuzz-stack.ts';
import { startEngineLoadHosts, type EngineLoadHosts } from '../test/reliability/support/engine-load.ts';
import { builtinLoadSource, runLoad, type LoadSource } from '../test/reliability/support/load-run.ts';
import { prepareLongPollSource, runLongPollLoad } from '../test/reliability/support/long-poll-run.ts';
import { fuzzSeed } from '../test/reliability/support/prng.ts';
import { printTable } from './support/table.ts';

function count(name: string, fallback: number): number {
  const given = process.env[name];
  const value = given === undefined || given === '' ? fallback : Number(given);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not ${given}`);
  return value;
}

const LOAD_TASKS = count('STEVEDORE_SOAK_LOAD_TASKS', 50);
const FUZZ_REQUESTS = count('STEVEDORE_FUZZ_REQUESTS', 20_000);
const FUZZ_SEED = fuzzSeed();
const POLL_CLIENTS = count('STEVEDORE_SOAK_POLL_CLIENTS', 500);
const POLL_ROUNDS = count('STEVEDORE_SOAK_POLL_ROUNDS', 3);
const DUPLICATE_ROUNDS = count('STEVEDORE_SOAK_DUPLICATE_ROUNDS', 10);
const DUPLICATE_TASKS = 5;

/** What one row of the table ran: its count, and the problems found (none: passed). */
interface Run {
  count: string;
  problems: string[];
  seed?: number;
}

interface SoakCase {
  /** What `npm run soak -- NAME` selects; several rows may share one. */
  name: string;
  row: string;
  env: Record<string, string>;
  stack: StackOptions;
  /** Engines the case's stack serves containers from, started before it and stopped after it. */
  hosts?: () => Promise<EngineLoadHosts>;
  /** The command that runs this case alone with the same counts (and seed). */
  reproduce: string;
  run(stack: TestStack, hosts?: EngineLoadHosts): Promise<Run>;
}

const fuzzShare = { anonymous: FUZZ_REQUESTS - Math.floor(FUZZ_REQUESTS / 3), required: Math.floor(FUZZ_REQUESTS / 3) };
const fuzzReproduce = `STEVEDORE_FUZZ_SEED=${FUZZ_SEED} STEVEDORE_FUZZ_REQUESTS=${FUZZ_REQUESTS} npm run soak -- fuzz`;

function fuzzCase(mode: 'anonymous' | 'required'): SoakCase {
  return {
    name: 'fuzz',
    row: `fuzz, ${mode === 'anonymous' ? 'anonymous' : 'session required'}`,
    env: { STEVEDORE_POLL_SECONDS: '1', STEVEDORE_AUTH: mode },
    stack: {},
    reproduce: fuzzReproduce,
    async run(stack) {
      const target = await prepareFuzzTarget(stack);
      const report = await runFuzz(target, { seed: FUZZ_SEED, requests: fuzzShare[mode], concurrency: 32, boundMs: 10_000 });
      const problems = report.findings.length > 0 ? [describeFindings(report, fuzzReproduce)] : [];
      if (report.sent !== fuzzShare[mode]) problems.push(`${report.sent} of ${fuzzShare[mode]} requests were sent`);
      if (mode === 'required' && !report.byStatus[401]) problems.push(`no request was refused with 401: ${JSON.stringify(report.byStatus)}`);
      return { count: `${report.sent} requests`, problems, seed: FUZZ_SEED };
    },
  };
}

function loadCase(row: string, sources: (stack: TestStack, hosts?: EngineLoadHosts) => Promise<LoadSource[]>, hosts?: () => Promise<EngineLoadHosts>): SoakCase {
  return {
    name: 'load',
    row,
    env: {},
    stack: { worker: true },
    hosts,
    reproduce: `STEVEDORE_SOAK_LOAD_TASKS=${LOAD_TASKS} npm run soak -- load`,
    async run(stack, started) {
      const outcome = await runLoad(stack.url, stack.aws, stack.cfg.bucketName, await sources(stack, started), { count: LOAD_TASKS, folder: 'test', timeoutMs: 900_000 });
      if (outcome.exports !== LOAD_TASKS || outcome.imports !== LOAD_TASKS) outcome.problems.push(`${outcome.exports} exports and ${outcome.imports} imports of ${LOAD_TASKS} each`);
      return { count: `${outcome.exports} exports + ${outcome.imports} imports`, problems: outcome.problems };
    },
  };
}

const CASES: SoakCase[] = [
  loadCase('load, built-in lxc', async (stack) => [await builtinLoadSource(stack, 'lxc')]),
  loadCase('load, built-in docker', async (stack) => [await builtinLoadSource(stack, 'docker')]),
  loadCase('load, Docker engine + LXC', (_stack, hosts) => hosts!.sources(), startEngineLoadHosts),
  fuzzCase('anonymous'),
  fuzzCase('required'),
  {
    name: 'long-poll',
    row: 'long-poll load',
    env: { STEVEDORE_POLL_SECONDS: '3' },
    stack: { worker: true, faults: true },
    reproduce: `STEVEDORE_SOAK_POLL_CLIENTS=${POLL_CLIENTS} STEVEDORE_SOAK_POLL_ROUNDS=${POLL_ROUNDS} npm run soak -- long-poll`,
    async run(stack) {
      await prepareLongPollSource(stack);
      const problems: string[] = [];
      for (let round = 1; round <= POLL_ROUNDS; round++) {
        const outcome = await runLongPollLoad(stack, { clients: POLL_CLIENTS, path: `test/load-${round}.tgz` });
        problems.push(...outcome.problems.map((p) => `round ${round}: ${p}`));
      }
      return { count: `${POLL_ROUNDS} x ${POLL_CLIENTS} clients`, problems };
    },
  },
  {
    name: 'duplicate',
    row: 'duplicate delivery',
    env: {},
    stack: {},
    reproduce: `STEVEDORE_SOAK_DUPLICATE_ROUNDS=${DUPLICATE_ROUNDS} npm run soak -- duplicate`,
    async run(stack) {
      const problems: string[] = [];
      for (let round = 1; round <= DUPLICATE_ROUNDS; round++) {
        const outcome = await runDuplicateDelivery(stack, { tasks: DUPLICATE_TASKS, name: `dup${round}-` });
        problems.push(...outcome.problems.map((p) => `round ${round}: ${p}`));
      }
      return { count: `${DUPLICATE_ROUNDS} x ${DUPLICATE_TASKS} tasks`, problems };
    },
  },
];

const names = process.argv.slice(2);
const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
if (unknown.length > 0) {
  console.error(`soak: no case ${unknown.join(', ')}; the cases are ${[...new Set(CASES.map((c) => c.name))].join(', ')}`);
  process.exit(2);
}
const selected = CASES.filter((c) => names.length === 0 || names.includes(c.name));

const work = mkdtempSync(join(tmpdir(), 'stevedore-soak-'));
const rows: string[][] = [];
const failures: { row: string; reproduce: string; problems: string[] }[] = [];
let exitCode = 0;
try {
  process.env.STEVEDORE_LOG_LEVEL ??= 'CRITICAL';
  const emulators = await startEmulators(join(work, 'data'));
  const stopEmulators = () => void emulators.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopEmulators);
  process.once('SIGTERM', stopEmulators);
  try {
    useEmulators(emulators);
    // Each case starts from this environment: what one case sets is not seen by the next.
    const baseEnv = { ...process.env };
    if (selected.some((c) => c.name === 'fuzz')) console.log(`fuzz seed ${FUZZ_SEED}`);
    for (const soakCase of selected) {
      for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
      Object.assign(process.env, baseEnv);
      console.log(`${soakCase.row} ...`);
      const started = performance.now();
      let run: Run;
      let hosts: EngineLoadHosts | undefined;
      try {
        hosts = await soakCase.hosts?.();
        const stack = await startStack(stackEnvironment({}, { ...soakCase.env, ...hosts?.env }), soakCase.stack);
        try {
          run = await soakCase.run(stack, hosts);
        } finally {
          await stack.stop();
        }
      } catch (error) {
        run = { count: '', problems: [`it threw: ${(error as Error).stack ?? String(error)}`] };
      } finally {
        await hosts?.stop();
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const passed = run.problems.length === 0;
      rows.push([soakCase.row, run.count, passed ? 'passed' : 'failed', seconds, run.seed === undefined ? '' : String(run.seed)]);
      console.log(`${soakCase.row}: ${passed ? 'passed' : 'failed'} (${run.count}) in ${seconds} s`);
      if (!passed) failures.push({ row: soakCase.row, reproduce: soakCase.reproduce, problems: run.problems });
    }
  } finally {
    process.off('SIGINT', stopEmulators);
    process.off('SIGTERM', stopEmulators);
    await emulators.stop();
  }
  console.log(`\nsoak (${process.version}, ${cpus().length} cores)\n`);
  printTable(['case', 'count', 'result', 'seconds', 'seed'], rows);
  for (const failure of failures) {
    console.log(`\nFAILED ${failure.row}; reproduce: ${failure.reproduce}`);
    for (const problem of failure.problems.slice(0, 20)) console.log(`  ${problem}`);
    if (failure.problems.length > 20) console.log(`  ... and ${failure.problems.length - 20} more`);
  }
  if (failures.length > 0) exitCode = 1;
} catch (error) {
  console.error(`soak: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
// Keep-alive sockets of the clients would hold the process a while longer; every case is done.
process.exit(exitCode);
