// Runs the worker side of stevedore locally: the stream poller handing batches to the worker
// (as the Lambda event source mapping does), and the stale-task sweep on a timer (a schedule
// in the cloud). Stopping it ends the tasks it runs as aborted, promptly and truthfully.
// `npm start` runs it in its own process for the stack's types, `npm run worker` on a
// container host for STEVEDORE_HOST_TYPES (lib/worker/placement.ts).
import { logger } from '../../lib/log.ts';
import type { ComposedServices } from '../../lib/services.ts';
import { sleep } from '../../lib/sleep.ts';
import { abandonTasksOfHost } from '../../lib/worker/abandon.ts';
import { typesRunBy, type WorkerRole } from '../../lib/worker/placement.ts';
import { handleTaskStream, newWaitingTaskOf } from '../../lib/worker/stream.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { StreamPoller } from './stream-poller.ts';
import { lowerThreadPoolPriority } from './thread-pool-priority.ts';

export interface WorkerHost {
  poller: StreamPoller;
  /**
   * Stops taking tasks and cancels the running ones, which end as aborted with
   * `stevedore <why> while this export ran; start it again`. A task that does not end
   * within `graceMs` is aborted from the outside.
   */
  stop(why?: string, graceMs?: number): Promise<void>;
}

export interface WorkerHostOptions {
  sweepEveryMs?: number;
  /** Owner prefix of the tasks this host claims (see host-identity.ts); a random one otherwise. */
  hostId?: string;
  /** Runs after each sweep: local clean-up the emulators cannot do themselves. */
  afterSweep?: () => Promise<void>;
  /** Which types it runs: `stack` (the default) all but STEVEDORE_HOST_TYPES, `host` only those. */
  role?: WorkerRole;
}

export async function startWorkerHost(services: ComposedServices, options: WorkerHostOptions = {}): Promise<WorkerHost> {
  const { config: cfg, aws } = services;
  const hostId = options.hostId ?? `local-${crypto.randomUUID()}`;
  const shutdown = new AbortController();
  const role = options.role ?? 'stack';
  // The poller calls the worker's stream handler directly rather than the Lambda entry, to
  // hand it the host's identity and shutdown signal, which Lambda has no way to pass.
  const poller = new StreamPoller({
    tableName: cfg.tableName,
    aws,
    handler: (event) => handleTaskStream(services, event, { hostId, shutdown: shutdown.signal, role }),
    // As the Lambda's filter criteria leave out the host types, so this poller leaves out the types it does not run.
    filter: newWaitingTaskOf(typesRunBy(role, cfg.hostTypes)),
    batchSize: 10,
    region: cfg.region,
  });
  await lowerThreadPoolPriority();
  await poller.start();
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(1000, Math.floor(cfg.taskLeaseMs / 4));
  const sweeper = setInterval(() => {
    sweepStaleTasks(services, Date.now(), cfg)
      .then(() => options.afterSweep?.())
      .catch((err: unknown) => logger.error('stale-task sweep failed', { error: err as Error }));
  }, sweepEveryMs);
  sweeper.unref();
  return {
    poller,
    stop: async (why = 'stopped', graceMs = 5000) => {
      clearInterval(sweeper);
      shutdown.abort(why);
      const stopped = poller.stop().then(() => true);
      if (!(await Promise.race([stopped, sleep(graceMs).then(() => false)]))) {
        logger.warn('a task did not end in time; aborting it from the outside', { graceMs });
        await abandonTasksOfHost(services, hostId, why);
      }
    },
  };
}
