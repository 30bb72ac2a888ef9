// Reading a secret's text from Secrets Manager, with the same endpoint settings as every other
// client (AWS_ENDPOINT_URL moves it to LocalStack). Its own module, so only the functions that
// reach a container engine carry the Secrets Manager client.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config.ts';
import type { SecretReader } from '../docker/tls.ts';

export function secretReader(config: Config): SecretReader {
  let client: SecretsManagerClient | undefined;
  return async (secretId) => {
    client ??= new SecretsManagerClient({ region: config.region, endpoint: config.secretsEndpoint ?? config.endpoint, maxAttempts: 5 });
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) throw new Error('the secret holds no text (SecretString)');
    return answer.SecretString;
  };
}
