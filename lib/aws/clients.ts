// SDK clients built from the configuration, so that one setting (AWS_ENDPOINT_URL or the
// per-service URLs) moves every call to LocalStack or the emulators. Each client is made on
// first use: a function that never touches S3 never builds an S3 client.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';
import { lazyProperties, once } from '../once.ts';
import { reportUnreachable } from './unreachable.ts';

export interface AwsClients {
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly streams: DynamoDBStreamsClient;
  readonly s3: S3Client;
  /** Closes the sockets of the clients that were made. */
  destroy(): void;
}

export function createClients(cfg: Config): AwsClients {
  const common = { region: cfg.region, maxAttempts: 5 };
  const made: { destroy(): void }[] = [];
  const make = <T extends { destroy(): void }>(build: () => T) =>
    once(() => {
      const client = build();
      made.push(client);
      return client;
    });
  const dynamoEndpoint = cfg.dynamoEndpoint ?? cfg.endpoint;
  const dynamo = make(() => reportUnreachable(new DynamoDBClient({ ...common, endpoint: dynamoEndpoint }), 'DynamoDB', dynamoEndpoint));
  const doc = once(() => DynamoDBDocumentClient.from(dynamo(), { marshallOptions: { removeUndefinedValues: true } }));
  const streamsEndpoint = cfg.dynamoStreamsEndpoint ?? cfg.dynamoEndpoint ?? cfg.endpoint;
  const streams = make(() => reportUnreachable(new DynamoDBStreamsClient({ ...common, endpoint: streamsEndpoint }), 'DynamoDB Streams', streamsEndpoint));
  const s3Endpoint = cfg.s3Endpoint ?? cfg.endpoint;
  const s3 = make(() => {
    const client = new S3Client({
      ...common,
      endpoint: s3Endpoint,
      // Emulators and LocalStack serve buckets by path, not by virtual host name.
      forcePathStyle: s3Endpoint !== undefined,
      // The default (WHEN_SUPPORTED) sends streamed bodies with aws-chunked framing and trailing
      // checksums; some S3-compatible stores save that framing inside the object. Checksums
      // only where an operation requires them keeps every store byte-exact.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return reportUnreachable(client, 'S3', s3Endpoint);
  });
  const destroy = () => made.splice(0).forEach((client) => client.destroy());
  return lazyProperties<AwsClients>({ dynamo, doc, streams, s3, destroy: () => destroy });
}
