// The credentials of a deployed function. Lambda hands its role's credentials to the process in
// the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the node
// provider chain's other sources (SSO, ini files, credential processes, web identity, container
// and instance metadata, with the STS and SSO clients they bring) are never asked there. The
// Lambda bundles alias @aws-sdk/credential-provider-node to this module (infra/aws/bundle.ts);
// everything that runs unbundled (npm start, the host worker, the tests) keeps the whole chain.
// The environment is read here rather than by the SDK's fromEnv, which brings ~20 KiB of the
// SDK's core (its feature tracking, the user agent's endpoint partitions) into every function.
import type { fromEnv } from '@aws-sdk/credential-provider-env';

/** The export of @aws-sdk/credential-provider-node that the clients call: fromEnv's reading of the environment. */
export const defaultProvider: typeof fromEnv = () => async () => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken, AWS_CREDENTIAL_EXPIRATION: expiry } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('Unable to find environment variable credentials.');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(expiry ? { expiration: new Date(expiry) } : {}) };
};
