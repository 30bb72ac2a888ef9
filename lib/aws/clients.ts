// SDK clients built once per process from the configuration, so that one setting
// (AWS_ENDPOINT_URL or the per-service URLs) moves every call to LocalStack or the emulators.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config, type Config } from '../config.ts';

export interface AwsClients {
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  s3: S3Client;
}

export function createClients(cfg: Config): AwsClients {
  const common = { region: cfg.region, maxAttempts: 5 };
  const dynamo = new DynamoDBClient({ ...common, endpoint: cfg.dynamoEndpoint ?? cfg.endpoint });
  const doc = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const streams = new DynamoDBStreamsClient({
    ...common,
    endpoint: cfg.dynamoStreamsEndpoint ?? cfg.dynamoEndpoint ?? cfg.endpoint,
  });
  const s3Endpoint = cfg.s3Endpoint ?? cfg.endpoint;
  const s3 = new S3Client({
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
  return { dynamo, doc, streams, s3 };
}

let cached: AwsClients | undefined;

export function clients(): AwsClients {
  cached ??= createClients(config());
  return cached;
}

export function resetClients(): void {
  cached?.dynamo.destroy();
  cached?.streams.destroy();
  cached?.s3.destroy();
  cached = undefined;
}
