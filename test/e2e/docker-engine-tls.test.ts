// A Docker engine on TCP that requires TLS client certificates, as a remote engine is run: the
// certificates from DOCKER_CERT_PATH (a laptop, a CI runner) or from a Secrets Manager secret
// (the cloud deployment's functions), and every way the handshake can fail is a 503 naming it.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../lib/services.ts';
import { Unavailable } from '../../lib/errors.ts';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.ts';
import { testEnvironment } from '../support/stack.ts';
import { makeEngineCertificates, makeStrangerCertificates } from '../support/tls-certs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sd-tls-'));
const certs = makeEngineCertificates(dir);

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
let daemon: DockerDaemon;
beforeAll(async () => {
  daemon = await startDockerDaemon({ tls: { port, serverDir: certs.serverDir } });
});
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// testEnvironment sets process.env, so each case names every TLS variable, empty when unused.
const engine = { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', STEVEDORE_DOCKER_TLS_SECRET: '' };

/** The docker runtime of a stack configured with these variables. */
function dockerRuntimeOf(env: Record<string, string>) {
  const services = createServices(testEnvironment(env));
  return { runtime: services.runtimes.forType('docker'), close: () => services.aws.destroy() };
}

async function listWith(env: Record<string, string>) {
  const { runtime, close } = dockerRuntimeOf(env);
  try {
    return await runtime.list();
  } finally {
    close();
  }
}

describe('a TLS engine with certificates from DOCKER_CERT_PATH', () => {
  it('is reached with the client certificate', async () => {
    expect(await listWith({ ...engine, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir })).toEqual([]);
  });

  it('is unavailable, naming the failed handshake, when the engine\'s certificate is not from the CA we trust', async () => {
    const stranger = makeStrangerCertificates(join(dir, 'stranger'));
    const refused = listWith({ ...engine, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: stranger });
    await expect(refused).rejects.toThrow(Unavailable);
    await expect(refused).rejects.toThrow(
      new RegExp(`^The TLS connection to the Docker engine at tcp://127.0.0.1:${port} failed: the engine's certificate is not signed by the CA we trust, or is not valid now \\([A-Z_]+\\)$`),
    );
  });

  it('is unavailable, naming the failed handshake, when the engine does not trust our certificate', async () => {
    const untrusted = makeStrangerCertificates(join(dir, 'untrusted'));
    copyFileSync(join(certs.clientDir, 'ca.pem'), join(untrusted, 'ca.pem'));
    const refused = listWith({ ...engine, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: untrusted });
    await expect(refused).rejects.toThrow(Unavailable);
    await expect(refused).rejects.toThrow(/^The TLS connection to the Docker engine at tcp:\/\/127\.0\.0\.1:\d+ failed: the engine does not accept our client certificate \(ERR_SSL_[A-Z_/]+\)$/);
  });

  it('is unavailable when the client speaks plain HTTP to it', async () => {
    const refused = listWith(engine);
    await expect(refused).rejects.toThrow(Unavailable);
    await expect(refused).rejects.toThrow(/^The Docker engine at tcp:\/\/127\.0\.0\.1:\d+ answered GET \/_ping with 400: Client sent an HTTP request to an HTTPS server\.$/);
  });
});

describe('a TLS engine with certificates from a Secrets Manager secret', () => {
  const secrets = new Map<string, string>();
  let secretsManager: Server;
  let secretsEndpoint = '';
  beforeAll(async () => {
    // Secrets Manager's GetSecretValue, as its JSON protocol answers it (LocalStack has the real one).
    secretsManager = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        const text = req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue' ? secrets.get(SecretId) : undefined;
        res.writeHead(text === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify(
            text === undefined
              ? { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }
              : { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}-AbCdEf`, Name: SecretId, SecretString: text },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
    secretsEndpoint = `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`;
    const pem = (name: string) => readFileSync(join(certs.clientDir, name), 'utf8');
    secrets.set('stevedore/docker-tls', JSON.stringify({ ca: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem') }));
    secrets.set('stevedore/not-json', pem('cert.pem'));
    secrets.set('stevedore/no-key', JSON.stringify({ ca: pem('ca.pem'), cert: pem('cert.pem') }));
  });
  afterAll(() => new Promise((resolve) => secretsManager.close(resolve)));

  const withSecret = (secretId: string) => ({ ...engine, STEVEDORE_DOCKER_TLS_SECRET: secretId, AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint });

  it('is reached with the certificate and key the secret holds', async () => {
    expect(await listWith(withSecret('stevedore/docker-tls'))).toEqual([]);
  });

  it('is unavailable, naming the secret and its shape, when the secret is missing or malformed', async () => {
    await expect(listWith(withSecret('stevedore/absent'))).rejects.toThrow(
      "The Docker engine's TLS secret stevedore/absent cannot be read (Secrets Manager can't find the specified secret.)",
    );
    await expect(listWith(withSecret('stevedore/not-json'))).rejects.toThrow(
      'The Docker engine\'s TLS secret stevedore/not-json is not JSON: it must be the JSON object {"ca": "<PEM>", "cert": "<PEM>", "key": "<PEM>"}',
    );
    await expect(listWith(withSecret('stevedore/no-key'))).rejects.toThrow('The Docker engine\'s TLS secret stevedore/no-key has no PEM text in "key"');
  });

  it('reads the secret again after a failure, so a secret fixed after the first request is used without a restart', async () => {
    const { runtime, close } = dockerRuntimeOf(withSecret('stevedore/late'));
    try {
      await expect(runtime.list()).rejects.toThrow(Unavailable);
      secrets.set('stevedore/late', secrets.get('stevedore/docker-tls')!);
      expect(await runtime.list()).toEqual([]);
    } finally {
      close();
    }
  });
});
