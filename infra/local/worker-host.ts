// Runs the worker side of stevedore locally: the stream poller invoking the worker's Lambda
// entry point, and the stale-task sweep on a timer (a schedule in the cloud).
import { handler as workerHandler } from '../../functions/worker/tasks.ts';
import { handler as sweepHandler } from '../../functions/worker/sweep.ts';
import type { AwsClients } from '../../lib/aws/clients.ts';
import type { Config } from '../../lib/config.ts';
import { logger } from '../../lib/log.ts';
import { isNewWaitingTask } from '../../lib/worker/stream.ts';
import { StreamPoller } from './stream-poller.ts';

export interface WorkerHost {
  poller: StreamPoller;
  stop(): Promise<void>;
}

export async function startWorkerHost(cfg: Config, aws: AwsClients, options: { sweepEveryMs?: number } = {}): Promise<WorkerHost> {
  const poller = new StreamPoller({ tableName: cfg.tableName, aws, handler: workerHandler, filter: isNewWaitingTask, batchSize: 10, region: cfg.region });
  await poller.start();
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(1000, Math.floor(cfg.taskLeaseMs / 4));
  const sweeper = setInterval(() => {
    sweepHandler().catch((err: unknown) => logger.error('stale-task sweep failed', { error: err as Error }));
  }, sweepEveryMs);
  sweeper.unref();
  return {
    poller,
    stop: async () => {
      clearInterval(sweeper);
      await poller.stop();
    },
  };
}
