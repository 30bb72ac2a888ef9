// The credentials of a deployed function. Lambda hands its role's credentials to the process in
// the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the node
// provider chain's other sources (SSO, ini files, credential processes, web identity, container
// and instance metadata, with the STS and SSO clients they bring) are never asked there. The
// Lambda bundles alias @aws-sdk/credential-provider-node to this module (infra/aws/bundle.ts);
// everything that runs unbundled (npm start, the host worker, the tests) keeps the whole chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The export of @aws-sdk/credential-provider-node that the SDK clients call. */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
