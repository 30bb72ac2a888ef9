// The AWS SDK's DynamoDB client (the endpoint from DYNAMODB_ENDPOINT or AWS_ENDPOINT_URL), for
// what needs the table's control plane: local provisioning and the stream poller, and the tests
// and benchmarks that read the table directly. The stores use lib/aws/dynamo-documents.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ClientFactory } from './client-set.ts';
import { commonClientSettings } from './common.ts';
import { reportUnreachable } from './unreachable.ts';

export const dynamoClient: ClientFactory<DynamoDBClient> = (config) => {
  const endpoint = config.dynamoEndpoint ?? config.endpoint;
  return reportUnreachable(new DynamoDBClient({ ...commonClientSettings(config), region: config.region, endpoint }), 'DynamoDB', endpoint);
};
