// Every AWS client stevedore has, by name, for the code that runs the whole stack in one process
// (npm start, the host worker, the tests, the benchmarks). One setting (AWS_ENDPOINT_URL or the
// per-service URLs) moves every call to LocalStack or the emulators. Each client is made on
// first use. A Lambda function does not come here: its adapters take their clients from a
// ClientSet by factory (lib/aws/client-set.ts), so its bundle holds only those.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';
import { createClientSet, type ClientSet } from './client-set.ts';
import { dynamoClient } from './dynamo-client.ts';
import { dynamoDocuments, type DynamoDocuments } from './dynamo-documents.ts';
import { s3Client } from './s3-client.ts';
import { streamsClient } from './streams-client.ts';

export interface AwsClients extends ClientSet {
  /** The SDK's, for provisioning, the stream poller, tests and benchmarks. */
  readonly dynamo: DynamoDBClient;
  /** The stores' (lib/aws/dynamo-documents.ts). */
  readonly doc: DynamoDocuments;
  readonly streams: DynamoDBStreamsClient;
  /** The SDK's, for provisioning, tests and benchmarks; the adapters' requests use lib/aws/s3-requests.ts. */
  readonly s3: S3Client;
}

export function createClients(cfg: Config): AwsClients {
  const set = createClientSet(cfg);
  return {
    get: (factory) => set.get(factory),
    destroy: () => set.destroy(),
    get dynamo() {
      return set.get(dynamoClient);
    },
    get doc() {
      return set.get(dynamoDocuments);
    },
    get streams() {
      return set.get(streamsClient);
    },
    get s3() {
      return set.get(s3Client);
    },
  };
}
