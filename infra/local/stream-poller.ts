// Plays the Lambda event source mapping locally: reads the table's DynamoDB stream and
// invokes the worker handler the way Lambda does. Same event shape, the same filter, a batch
// size, a retry from the lowest failed sequence number up to a retry limit, expired
// iterators renewed and new shards followed.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { AwsClients } from '../../lib/aws/clients.ts';
import { logger } from '../../lib/log.ts';
import { sleep } from '../../lib/sleep.ts';

export interface StreamPollerOptions {
  tableName: string;
  aws: AwsClients;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Records that reach the handler (the event source mapping's filter criteria). */
  filter: (record: DynamoDBRecord) => boolean;
  batchSize?: number;
  /** Retries of a failing batch before its records are dropped (Lambda: MaximumRetryAttempts). */
  maxRetries?: number;
  idleDelayMs?: number;
  region?: string;
  /**
   * A test aid: every batch is handed to the handler a second time once it was handled, its
   * records in reverse order, as an at-least-once source may deliver them (a Lambda retry, two
   * consumers of one shard). The worker must run each task once whatever arrives.
   */
  redeliverReversed?: boolean;
}

export class StreamPoller {
  private running = false;
  private readonly stopping = new AbortController();
  private readonly shardsSeen = new Set<string>();
  private readonly finishedShards = new Set<string>();
  private readonly workers: Promise<void>[] = [];
  private discovery: Promise<void> | undefined;
  private streamArn = '';
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly idleDelayMs: number;
  /** Batches handed to the handler; tests wait on it. */
  private inFlight = 0;

  constructor(private readonly options: StreamPollerOptions) {
    this.batchSize = options.batchSize ?? 10;
    this.maxRetries = options.maxRetries ?? 3;
    this.idleDelayMs = options.idleDelayMs ?? 200;
  }

  async start(): Promise<void> {
    const table = await this.options.aws.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`Table ${this.options.tableName} has no stream; the worker cannot be triggered`);
    this.streamArn = arn;
    this.running = true;
    await this.discoverShards();
    this.discovery = this.loop(async () => {
      await this.discoverShards();
    }, 2000);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.allSettled([this.discovery, ...this.workers]);
  }

  /** True when no batch is being handled right now. */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  private async discoverShards(): Promise<void> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.options.aws.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.shardsSeen.has(id)) continue;
      // A child shard is read only after its parent is exhausted, to keep per-key order.
      const parent = shard.ParentShardId;
      if (parent && this.shardsSeen.has(parent) && !this.finishedShards.has(parent)) continue;
      this.shardsSeen.add(id);
      this.workers.push(this.readShard(id));
    }
  }

  private async readShard(shardId: string): Promise<void> {
    let iterator = await this.iterator(shardId, 'TRIM_HORIZON');
    let lastSequence: string | undefined;
    while (this.running && iterator) {
      let records: StreamRecord[];
      try {
        const out = await this.options.aws.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }));
        records = out.Records ?? [];
        iterator = out.NextShardIterator;
      } catch (err) {
        if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
          iterator = lastSequence
            ? await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', lastSequence)
            : await this.iterator(shardId, 'TRIM_HORIZON');
          continue;
        }
        if (!this.running) return;
        logger.error('stream poller: GetRecords failed', { shardId, error: err as Error });
        await this.sleep(this.idleDelayMs * 5);
        continue;
      }
      if (records.length > 0) {
        await this.deliver(records);
        lastSequence = records.at(-1)!.dynamodb?.SequenceNumber;
      } else {
        await this.sleep(this.idleDelayMs);
      }
    }
    this.finishedShards.add(shardId);
  }

  /** One batch, retried from the lowest failed record, as Lambda does with ReportBatchItemFailures. */
  private async deliver(records: StreamRecord[]): Promise<void> {
    const batch = records.map((r) => this.toLambdaRecord(r)).filter(this.options.filter);
    let pending = batch;
    for (let attempt = 0; pending.length > 0 && this.running; attempt++) {
      if (attempt > this.maxRetries) {
        logger.error('stream poller: dropping records after retries', {
          sequenceNumbers: pending.map((r) => r.dynamodb?.SequenceNumber),
        });
        return;
      }
      let failedFrom: number;
      this.inFlight++;
      try {
        const response = await this.options.handler({ Records: pending });
        const failures = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        failedFrom = pending.findIndex((r) => failures.has(r.dynamodb!.SequenceNumber!));
      } catch (err) {
        logger.error('stream poller: the worker threw', { error: err as Error });
        failedFrom = 0;
      } finally {
        this.inFlight--;
      }
      if (failedFrom < 0) {
        if (this.options.redeliverReversed) await this.redeliver([...batch].reverse());
        return;
      }
      pending = pending.slice(failedFrom);
      await this.sleep(this.idleDelayMs);
    }
  }

  /** The duplicate of a handled batch; what it answers does not matter, the records were handled. */
  private async redeliver(records: DynamoDBRecord[]): Promise<void> {
    this.inFlight++;
    try {
      await this.options.handler({ Records: records });
    } catch (err) {
      logger.error('stream poller: the worker threw on a redelivered batch', { error: err as Error });
    } finally {
      this.inFlight--;
    }
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const d = record.dynamodb!;
    return {
      eventID: record.eventID,
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion ?? this.options.region ?? 'us-east-1',
      eventSourceARN: this.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) : undefined,
        Keys: d.Keys as never,
        NewImage: d.NewImage as never,
        OldImage: d.OldImage as never,
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType as never,
      },
    };
  }

  /** Waits, but not past stop(): a stopping poller must not hold its caller for seconds. */
  private sleep(ms: number): Promise<void> {
    return sleep(ms, this.stopping.signal);
  }

  private async iterator(shardId: string, type: 'TRIM_HORIZON' | 'AFTER_SEQUENCE_NUMBER', sequence?: string): Promise<string | undefined> {
    const out = await this.options.aws.streams.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequence }),
    );
    return out.ShardIterator;
  }

  private async loop(step: () => Promise<void>, everyMs: number): Promise<void> {
    while (this.running) {
      await this.sleep(everyMs);
      if (!this.running) return;
      await step().catch((err: unknown) => logger.error('stream poller: shard discovery failed', { error: err as Error }));
    }
  }
}


