// `npm run worker` (and `bin/stevedore-worker`): the stream worker on a container host. The
// containers of the types in STEVEDORE_HOST_TYPES live on this host's disk, which a Lambda
// function cannot reach; this process runs their tasks, and only theirs, with the same stream
// poller, leases and sweep as `npm start`'s in-process worker, against the configured table and
// bucket: AWS, LocalStack (AWS_ENDPOINT_URL), or the embedded stack `npm start` recorded under
// STEVEDORE_DATA_DIR when no endpoint is set. SIGTERM or SIGINT stops it as `npm start` stops
// its worker: the running task ends as aborted, saying why, and waiting ones stay waiting.
import { hostname } from 'node:os';
import { CONTAINER_TYPES, runtimeChoiceOf, runtimeVariableOf, type Config } from '../../lib/config.ts';
import { loadConfigOrExit } from './config-or-exit.ts';
import { abandonTasksOfDeadHostWorkers, newHostWorkerId, removeLeftoversOfDeadHostWorkers } from './host-worker-identity.ts';
import { publishInventory, PUBLISH_EVERY_MS } from '../../lib/runtimes/host-inventory.ts';
import { createServices } from '../../lib/services.ts';
import { sleep } from '../../lib/sleep.ts';
import { findRecordedStack, useRecordedStack } from './stack-record.ts';
import { stopOn } from './stop-triggers.ts';
import { startWorkerHost, type WorkerHost } from './worker-host.ts';

const NAME = 'stevedore-worker';
/** How often leftovers of a killed predecessor's imports are looked for after the start. */
const TIDY_EVERY_MS = 10_000;

/** No endpoint configured: the embedded stack of this data dir, if `npm start` recorded one, or else AWS itself. */
function locateStack(config: Config): void {
  if (config.endpoint || config.dynamoEndpoint || config.dynamoStreamsEndpoint || config.s3Endpoint) return;
  const found = findRecordedStack(config.dataDir);
  if ('none' in found) {
    console.log(`${NAME}: no endpoint is configured and ${found.none}; using AWS's own endpoints`);
    return;
  }
  useRecordedStack(found.record);
  console.log(`${NAME}: using the embedded stack of npm start (pid ${found.record.pid}): DynamoDB Local on ${found.record.dynamoEndpoint}, s3rver on ${found.record.s3Endpoint}`);
}

async function main(): Promise<void> {
  const initial = loadConfigOrExit(NAME);
  if (initial.hostTypes.length === 0) {
    console.error(`${NAME}: STEVEDORE_HOST_TYPES is empty; name the container types whose tasks this host runs (${CONTAINER_TYPES.join(', ')})`);
    process.exit(2);
  }
  locateStack(initial);
  const config = loadConfigOrExit(NAME);
  const unseen = config.hostTypes.filter((type) => runtimeChoiceOf(config, type) === 'host');
  if (unseen.length > 0) {
    console.error(`${NAME}: a host worker serves its containers itself: set ${runtimeVariableOf(unseen[0]!)} to ${unseen[0] === 'lxc' ? 'lxc' : 'engine'}, not host`);
    process.exit(2);
  }
  const where = `host worker on ${hostname()}`;

  const services = createServices(config);
  let workers: WorkerHost | undefined;
  let startup: Promise<void> = Promise.resolve();
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${NAME}: ${why}, stopping`);
    // The poller's first reads may take a moment; what has started is stopped once they are done.
    await Promise.race([startup.catch(() => undefined), sleep(10_000)]);
    await workers?.stop(`${where} stopped (${why})`).catch(() => undefined);
    services.aws.destroy();
    console.log(`${NAME}: stopped`);
    process.exit(0);
  };
  stopOn((why) => void stop(why));

  const hostId = newHostWorkerId();
  startup = (async () => {
    // Before it claims anything: what a killed host worker of this machine left running ends now.
    const abandoned = await abandonTasksOfDeadHostWorkers(services, hostId);
    if (abandoned.length > 0) console.log(`${NAME}: aborted ${abandoned.length} task(s) of a host worker on ${hostname()} that ended without stopping`);
    workers = await startWorkerHost(services, { role: 'host', hostId });
  })();
  try {
    await startup;
  } catch (err) {
    if (stopping) return; // stop() ends the process
    throw err;
  }
  if (stopping) return;
  // What this host serves, for an API that cannot see it (STEVEDORE_<TYPE>_RUNTIME=host there).
  const inventory = { doc: services.aws.doc, table: config.tableName };
  const publish = () => publishInventory(services.runtimes, config.hostTypes, inventory, hostname()).catch((err: unknown) => console.error(`${NAME}: could not publish this host's containers: ${(err as Error).message}`));
  // An engine may finish a request of a killed predecessor after this worker looked at start
  // (a layer it was committing, a container it was copying an image for): what that leaves is
  // staged under a dead claim, and goes at the next pass, two list requests when there is none.
  const tidy = () =>
    removeLeftoversOfDeadHostWorkers(services, hostId)
      .then((removed) => removed.length > 0 && console.log(`${NAME}: removed ${removed.join(', ')}, left by a host worker that ended without stopping`))
      .catch((err: unknown) => console.error(`${NAME}: could not remove what a host worker that ended without stopping left: ${(err as Error).message}`));
  await publish();
  setInterval(() => void publish(), PUBLISH_EVERY_MS).unref();
  setInterval(() => void tidy(), TIDY_EVERY_MS).unref();
  console.log(`${NAME} ready: runs the tasks of ${config.hostTypes.join(' and ')} containers from table ${config.tableName}, bucket ${config.bucketName}`);
}

main().catch((err: unknown) => {
  console.error(`${NAME}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
