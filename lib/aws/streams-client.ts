// The DynamoDB Streams client of the local stream poller (the endpoint from
// DYNAMODB_STREAMS_ENDPOINT, DYNAMODB_ENDPOINT or AWS_ENDPOINT_URL).
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ClientFactory } from './client-set.ts';
import { commonClientSettings } from './common.ts';
import { reportUnreachable } from './unreachable.ts';

export const streamsClient: ClientFactory<DynamoDBStreamsClient> = (config) => {
  const endpoint = config.dynamoStreamsEndpoint ?? config.dynamoEndpoint ?? config.endpoint;
  return reportUnreachable(new DynamoDBStreamsClient({ ...commonClientSettings(config), region: config.region, endpoint }), 'DynamoDB Streams', endpoint);
};
