// The stream worker: functions/worker/tasks.ts, invoked by the table's stream for every new
// waiting task, with an encrypted queue catching what it could not process.
import { Duration, Size, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ContainerType } from '../../lib/container-type.ts';
import type { RouteAccess } from '../../lib/http/route.ts';
import { StevedoreFunction, type BackgroundFunctionProps } from './function.ts';

/** The worker claims tasks, streams archives in and out of the bucket, and writes progress. */
export const WORKER_ACCESS: RouteAccess = { table: 'write', bucket: 'write', engine: true };

// Sizing (figures in the README, "Measured"; bench:export runs the worker's bundle with these
// options). Memory stays flat because archives stream end to end, and because the worker
// collects what streaming promotes before V8 would (lib/worker/heap-keeper.ts). 1024 MB is for
// CPU, which Lambda hands out in proportion to memory and gzip needs. One invocation carries one
// whole archive, hence Lambda's longest timeout; nothing is written to disk.
export const WORKER_MEMORY_MB = 1024;
// A small young generation collects a streaming export's short-lived buffers before they pile up.
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=2';
// glibc reads these at process start, hence the environment. Two malloc arenas keep the buffers
// freed by zlib's threads from fragmenting RSS upwards with the container's size. A fixed mmap
// threshold of 32 KiB keeps every buffer of that size or more in its own mapping, returned to
// the system when freed: gzip members, zlib's output, and the copy Node's HTTP parser makes of
// every socket read of a response body (up to 64 KiB each: the engine's export, an archive read
// from S3). glibc otherwise raises the threshold to the size of the largest buffer freed, and
// buffers under it fill its heap, which seldom shrinks: a body's reads, freed in batches by V8's
// collections, left it 26-45 MiB larger than at the start over a 1 GiB .tgz export.
export const WORKER_ENVIRONMENT = { NODE_OPTIONS: WORKER_NODE_OPTIONS, MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' } as const;
export const WORKER_TIMEOUT = Duration.minutes(15);
export const WORKER_EPHEMERAL_STORAGE = Size.mebibytes(512);

// Event source mapping. One task per batch: a task may run for minutes, so each gets its own
// 15-minute budget and a failure never holds back a neighbour; the parallelization factor
// lets up to 10 tasks of one shard run at once (each task is its own item, so per-item order,
// which is all the stream promises, is kept). ReportBatchItemFailures and bisect stay on so
// that raising the batch size later keeps retries precise. A retried delivery of a task that
// was already claimed finds it running and does nothing (the claim is a conditional write),
// so retries are cheap; they are still bounded, and records too old to matter go to the queue.
export const WORKER_BATCH_SIZE = 1;
export const WORKER_PARALLELIZATION = 10;
export const WORKER_RETRY_ATTEMPTS = 3;
export const WORKER_MAX_RECORD_AGE = Duration.hours(6);

/**
 * Only INSERTs of waiting tasks wake the worker; progress updates and other records do not.
 * Nor do the tasks of the types placed on container hosts (`hostTypes`): the function could
 * not run them, and must not claim them from the host workers that can.
 */
export function workerFilter(hostTypes: readonly ContainerType[] = []): Record<string, unknown> {
  const newImage: Record<string, unknown> = {
    recordType: { S: lambda.FilterRule.isEqual('task') },
    state: { S: lambda.FilterRule.isEqual('waiting') },
  };
  // FilterRule.notEquals takes one value; anything-but takes the list.
  if (hostTypes.length > 0) newImage.type = { S: [{ 'anything-but': [...hostTypes] }] };
  return { eventName: lambda.FilterRule.isEqual('INSERT'), dynamodb: { NewImage: newImage } };
}

export interface TaskWorkerProps extends BackgroundFunctionProps {
  /** The container types host workers run (settings.ts): left out of the event source. */
  hostTypes?: readonly ContainerType[];
}

export class TaskWorker extends Construct {
  readonly worker: StevedoreFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskWorkerProps) {
    super(scope, id);

    this.worker = new StevedoreFunction(this, 'Worker', {
      name: 'worker-tasks',
      description: 'stevedore: runs export and import tasks from the table stream',
      bundle: props.bundle,
      access: WORKER_ACCESS,
      table: props.table,
      bucket: props.bucket,
      environment: { ...props.environment, ...WORKER_ENVIRONMENT },
      engine: props.engine,
      timeout: WORKER_TIMEOUT,
      memorySize: WORKER_MEMORY_MB,
      ephemeralStorageSize: WORKER_EPHEMERAL_STORAGE,
    });

    // Where the event source mapping sends the metadata of records it gave up on (the shard
    // and sequence numbers to read them back from the stream, within its 24 hours).
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the last stop: the on-failure destination of the worker\'s event source mapping. A dead-letter queue behind it would only be a second copy.',
    });

    this.worker.function.addEventSource(
      new DynamoEventSource(props.table, {
        // TRIM_HORIZON: a task inserted while the mapping is being created is still picked up.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: WORKER_BATCH_SIZE,
        parallelizationFactor: WORKER_PARALLELIZATION,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: WORKER_RETRY_ATTEMPTS,
        maxRecordAge: WORKER_MAX_RECORD_AGE,
        onFailure: new SqsDlq(this.failures),
        filters: [lambda.FilterCriteria.filter(workerFilter(props.hostTypes))],
      }),
    );

    Validations.of(this.worker.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the event source mapping needs to find the table\'s stream, supports no resource-level ' +
        'permissions: IAM accepts only "*" for it. The stream reads themselves (DescribeStream, GetRecords, GetShardIterator) ' +
        'are limited to this table\'s stream ARN.',
    });
  }
}
