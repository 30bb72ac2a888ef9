// The TLS material of a connection to the Docker engine: the engine's CA, the client's
// certificate and its key, read from DOCKER_CERT_PATH's files or from a secret whose text is
// the JSON object `{"ca": "<PEM>", "cert": "<PEM>", "key": "<PEM>"}`.
import { readFile } from 'node:fs/promises';
import { Unavailable } from '../errors.ts';
import type { TlsSource } from './endpoint.ts';

export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

/** Reads the text of a secret: how the composition root lends the client a secret store it does not know. */
export type SecretReader = (secretId: string) => Promise<string>;

const PEM = /-----BEGIN [A-Z ]+-----/;

export async function loadTlsMaterial(source: TlsSource, readSecret: SecretReader | undefined): Promise<TlsMaterial> {
  if (source.kind === 'files') {
    const [ca, cert, key] = await Promise.all([source.caFile, source.certFile, source.keyFile].map((file) => readFile(file, 'utf8')));
    return { ca: ca!, cert: cert!, key: key! };
  }
  if (!readSecret) throw new Error('the Docker client was given a TLS secret but no way to read secrets');
  let text: string;
  try {
    text = await readSecret(source.secretId);
  } catch (err) {
    throw new Unavailable(`The Docker engine's TLS secret ${source.secretId} cannot be read (${(err as Error).message})`);
  }
  return parseTlsSecret(source.secretId, text);
}

export function parseTlsSecret(secretId: string, text: string): TlsMaterial {
  const wrong = (what: string) =>
    new Unavailable(`The Docker engine's TLS secret ${secretId} ${what}: it must be the JSON object {"ca": "<PEM>", "cert": "<PEM>", "key": "<PEM>"}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw wrong('is not JSON');
  }
  const fields = value as Partial<Record<keyof TlsMaterial, unknown>>;
  const bad = (['ca', 'cert', 'key'] as const).filter((name) => typeof fields?.[name] !== 'string' || !PEM.test(fields[name] as string));
  if (bad.length > 0) throw wrong(`has no PEM text in ${bad.map((name) => `"${name}"`).join(', ')}`);
  return { ca: fields.ca as string, cert: fields.cert as string, key: fields.key as string };
}
