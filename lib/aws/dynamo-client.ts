// The DynamoDB clients: the low-level one (the endpoint from DYNAMODB_ENDPOINT or
// AWS_ENDPOINT_URL) and the document client on it that the stores use.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientFactory } from './client-set.ts';
import { commonClientSettings } from './common.ts';
import { reportUnreachable } from './unreachable.ts';

export const dynamoClient: ClientFactory<DynamoDBClient> = (config) => {
  const endpoint = config.dynamoEndpoint ?? config.endpoint;
  return reportUnreachable(new DynamoDBClient({ ...commonClientSettings(config), region: config.region, endpoint }), 'DynamoDB', endpoint);
};

/** Not closed by itself: destroying the set closes the DynamoDB client it is built on. */
export const documentClient: ClientFactory<DynamoDBDocumentClient> = (_config, clients) =>
  DynamoDBDocumentClient.from(clients.get(dynamoClient), { marshallOptions: { removeUndefinedValues: true } });
