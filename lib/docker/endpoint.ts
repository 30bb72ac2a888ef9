// Where the Docker engine listens, read as Docker's own clients read it: `DOCKER_HOST`
// (`unix:///var/run/docker.sock` when unset, or `tcp://host:port`), TLS with client
// certificates when `DOCKER_TLS_VERIFY` is set, from `DOCKER_CERT_PATH` (default ~/.docker), or,
// in the cloud, from the Secrets Manager secret `STEVEDORE_DOCKER_TLS_SECRET` names (a Lambda
// function has no certificate files, and keys do not belong in its environment).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the client certificate, its key and the engine's CA come from. */
export type TlsSource = { kind: 'files'; caFile: string; certFile: string; keyFile: string } | { kind: 'secret'; secretId: string };

export type DockerEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number; tls?: TlsSource };

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

type Env = Record<string, string | undefined>;

/** The endpoint, or the one line that says what is wrong with the settings. */
export function parseDockerEndpoint(env: Env): { endpoint: DockerEndpoint } | { problem: string } {
  const raw = env.DOCKER_HOST?.trim() || DEFAULT_DOCKER_HOST;
  const secretId = env.STEVEDORE_DOCKER_TLS_SECRET?.trim();
  if (secretId && !raw.startsWith('tcp://')) return { problem: `STEVEDORE_DOCKER_TLS_SECRET is set, but DOCKER_HOST "${raw}" is not a tcp://host:port to use it with` };
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length);
    if (!socketPath.startsWith('/')) return { problem: `DOCKER_HOST: "${raw}" must name an absolute socket path, e.g. ${DEFAULT_DOCKER_HOST}` };
    return { endpoint: { kind: 'unix', socketPath } };
  }
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(raw);
  if (!tcp || Number(tcp[2]) < 1 || Number(tcp[2]) > 65535) {
    return { problem: `DOCKER_HOST: "${raw}" is not unix:///path/to/docker.sock or tcp://host:port` };
  }
  const endpoint: DockerEndpoint = { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  const verify = env.DOCKER_TLS_VERIFY?.trim();
  if (secretId) {
    endpoint.tls = { kind: 'secret', secretId };
  } else if (verify && verify !== '0' && verify.toLowerCase() !== 'false') {
    const dir = env.DOCKER_CERT_PATH?.trim() || join(homedir(), '.docker');
    const tls = { kind: 'files' as const, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    const missing = [tls.caFile, tls.certFile, tls.keyFile].filter((file) => !existsSync(file));
    if (missing.length > 0) return { problem: `DOCKER_TLS_VERIFY is set but ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist (DOCKER_CERT_PATH: ${dir})` };
    endpoint.tls = tls;
  }
  return { endpoint };
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}
