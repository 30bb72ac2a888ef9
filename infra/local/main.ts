// `npm start`: the whole of stevedore on one machine. Emulators as child processes, the
// table and bucket provisioned, every route of the manifest served, Ctrl-C stops it all.
import { loadConfig } from '../../lib/config.ts';
import { quoteBounded } from '../../lib/quote.ts';
import { logger } from '../../lib/log.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { sleep } from '../../lib/sleep.ts';
import { abandonTasksOfDeadWorker, runningTasksOfHost } from '../../lib/worker/abandon.ts';
import { provisionDemoImage } from './demo-image.ts';
import { becomeHost, deadPreviousHost } from './host-identity.ts';
import { PrerequisiteError } from './prerequisites.ts';
import { provision } from './provision.ts';
import { removeHalfWrittenObjects } from './s3rver-orphans.ts';
import { removeAbandonedUploads } from './s3rver-uploads.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from './server.ts';
import { s3DataDir, startEmulators, useEmulators, type EmbeddedStack } from './stack.ts';
import { loadConfigOrExit } from './config-or-exit.ts';
import { recordStack, removeStackRecord } from './stack-record.ts';
import { stopOn } from './stop-triggers.ts';
import { startWorkerHost, type WorkerHost } from './worker-host.ts';

/** What has started so far: stopping must work at any point of the start-up. */
interface Running {
  stack?: EmbeddedStack;
  services?: ComposedServices;
  workers?: WorkerHost;
  server?: RunningServer;
  routes?: number;
}

class StoppedDuringStartup extends Error {}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const initial = loadConfigOrExit('stevedore');
  const { dataDir, bucketName } = initial;
  const running: Running = {};
  const starting = new AbortController();
  let startup: Promise<void> = Promise.resolve();
  let stopping = false;
  const stopAll = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`stevedore: ${why}, stopping`);
    starting.abort(new StoppedDuringStartup(why));
    // A step of the start-up that ignores the signal (a provisioning call) may take a moment.
    await Promise.race([startup.catch(() => undefined), sleep(10_000)]);
    await running.server?.close().catch(() => undefined);
    await running.workers?.stop(`stopped (${why})`).catch(() => undefined);
    // No worker of this stack runs any more: every upload left in s3rver is abandoned.
    if (running.stack?.emulators.length) await removeAbandonedUploads(s3DataDir(dataDir), bucketName).catch(() => undefined);
    if (running.stack?.emulators.length) removeStackRecord(dataDir);
    await running.stack?.stop();
    process.exit(0);
  };
  // Installed before anything starts, so that a Ctrl-C or a dying parent during the start-up
  // (which can take 20 s on a first start) stops what has started instead of orphaning it.
  stopOn((why) => void stopAll(why));

  startup = start(running, dataDir, starting.signal);
  try {
    await startup;
  } catch (err) {
    if (stopping) return; // stopAll ends the process
    await running.stack?.stop().catch(() => undefined);
    throw err;
  }
  const { stack, server, services } = running as Required<Running>;
  const cfg = services.config;
  for (const emulator of stack.emulators) console.log(`stevedore: ${emulator.name} on ${emulator.endpoint}`);
  console.log(`stevedore: data in ${stack.emulators.length > 0 ? dataDir : cfg.endpoint}`);
  if (cfg.hostTypes.length > 0) console.log(`stevedore: tasks of ${cfg.hostTypes.join(' and ')} containers are left to host workers (npm run worker)`);
  console.log(cfg.auth === 'required' ? 'stevedore: every endpoint but login needs a session (STEVEDORE_AUTH=required); add users with npm run user' : 'stevedore: requests without a session act as Anonymous (STEVEDORE_AUTH=anonymous, loopback only)');
  console.log(`stevedore ready: ${running.routes} routes on ${server.url}/api/v1 (${Math.round(performance.now() - startedAt)} ms)`);
}

async function start(running: Running, dataDir: string, signal: AbortSignal): Promise<void> {
  const step = () => {
    if (signal.aborted) throw signal.reason;
  };
  running.stack = await startEmulators(dataDir, process.env, signal);
  step();
  useEmulators(running.stack);
  // Read again: the emulators' endpoints are in the environment now.
  const services = createServices(loadConfig());
  running.services = services;
  const cfg = services.config;
  if (running.stack.emulators.length) {
    const removed = await removeHalfWrittenObjects(s3DataDir(dataDir), cfg.bucketName);
    if (removed.length > 0) console.log(`stevedore: removed ${removed.length} half-written object(s) from the S3 emulator's store, e.g. ${quoteBounded(removed[0]!)}`);
  }
  await provision(cfg, services.aws);
  step();
  await provisionDemoImage(services.builtinRuntime);
  step();
  await recoverFromDeadHost(services, running.stack);
  if (running.stack.emulators.length) {
    // Where a host worker given this data dir and no endpoint finds the emulators: once their table
    // and bucket exist, and the uploads a dead run left were removed (a host worker's must not be).
    const [dynamo, s3] = running.stack.emulators;
    recordStack(dataDir, { dynamoEndpoint: dynamo!.endpoint, s3Endpoint: s3!.endpoint, tableName: cfg.tableName, bucketName: cfg.bucketName });
  }
  const host = becomeHost(dataDir);
  const functions = await loadFunctions();
  step();
  running.workers = await startWorkerHost(services, {
    hostId: host.hostId,
    afterSweep: async () => {
      if (running.stack?.emulators.length) await removeUploadsOfFinishedTasks(services);
    },
  });
  step();
  running.server = await startServer(createLocalApp(functions, services), cfg.host, cfg.port);
  running.routes = functions.length;
}

/**
 * The previous `npm start` on this data dir died without stopping (SIGKILL, a crash): its
 * running tasks end now as aborted, freeing their paths, instead of after their lease, once what
 * its imports left half-made in the runtimes was removed.
 */
async function recoverFromDeadHost(services: ComposedServices, stack: EmbeddedStack): Promise<void> {
  const { dataDir, bucketName } = services.config;
  const dead = deadPreviousHost(dataDir);
  if (dead) {
    const orphans = await runningTasksOfHost(services, dead.hostId);
    const abandoned = await abandonTasksOfDeadWorker(services, orphans, (owner) => owner.startsWith(`${dead.hostId}:`), 'was restarted');
    if (abandoned.length > 0) console.log(`stevedore: aborted ${abandoned.length} task(s) of the previous run (pid ${dead.pid}), which ended without stopping`);
  }
  // No worker runs yet: whatever uploads s3rver keeps were abandoned.
  if (stack.emulators.length) await removeAbandonedUploads(s3DataDir(dataDir), bucketName);
}

/** While the worker runs: uploads no running task has recorded and nobody wrote to for a lease. */
async function removeUploadsOfFinishedTasks({ tasks, config }: ComposedServices): Promise<void> {
  const running = await tasks.listInState('export', 'running');
  const keep = new Set(running.flatMap((t) => (t.upload ? [t.upload.uploadId] : [])));
  const removed = await removeAbandonedUploads(s3DataDir(config.dataDir), config.bucketName, keep, tasks.leaseMs);
  if (removed.uploads > 0) logger.info('removed abandoned multipart uploads', { ...removed });
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(err instanceof PrerequisiteError ? `stevedore: ${message}` : `stevedore: failed to start: ${message}`);
  process.exit(1);
});
