// Reading a secret's text from Secrets Manager through stevedore's own JSON-protocol client,
// with the same endpoint settings as every other client (AWS_ENDPOINT_URL moves it to
// LocalStack). Its own module, so only the functions that reach a container engine carry it.
import type { Config } from '../config.ts';
import type { SecretReader } from '../docker/tls.ts';
import { requestOptions } from './http-exchange.ts';
import { JsonRequestClient } from './json-requests.ts';

const SECRETS_MANAGER = { name: 'Secrets Manager', signingName: 'secretsmanager', targetPrefix: 'secretsmanager', jsonVersion: '1.1' } as const;

export function secretReader(config: Config): SecretReader {
  let client: JsonRequestClient | undefined;
  return async (secretId) => {
    client ??= new JsonRequestClient(SECRETS_MANAGER, requestOptions(config, config.secretsEndpoint ?? config.endpoint));
    const answer = await client.call<{ SecretString?: string }>('GetSecretValue', { SecretId: secretId });
    if (answer.SecretString === undefined) throw new Error('the secret holds no text (SecretString)');
    return answer.SecretString;
  };
}
