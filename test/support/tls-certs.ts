// Certificates for a Docker engine that listens with TLS, made with openssl as Docker's own
// guide makes them: a CA, a server certificate for 127.0.0.1 and a client certificate.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EngineCertificates {
  /** `ca.pem`, `server-cert.pem`, `server-key.pem`: what dockerd is started with. */
  serverDir: string;
  /** `ca.pem`, `cert.pem`, `key.pem`: a DOCKER_CERT_PATH. */
  clientDir: string;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

function authority(dir: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=stevedore test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}-cert.pem`);
}

export function makeEngineCertificates(dir: string): EngineCertificates {
  const serverDir = join(dir, 'server');
  const clientDir = join(dir, 'client');
  mkdirSync(serverDir, { recursive: true });
  mkdirSync(clientDir, { recursive: true });
  authority(serverDir);
  signed(serverDir, 'server', '/CN=127.0.0.1', 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  signed(serverDir, 'client', '/CN=stevedore', 'extendedKeyUsage = clientAuth\n');
  writeFileSync(join(clientDir, 'ca.pem'), readFileSync(join(serverDir, 'ca.pem')));
  writeFileSync(join(clientDir, 'cert.pem'), readFileSync(join(serverDir, 'client-cert.pem')));
  writeFileSync(join(clientDir, 'key.pem'), readFileSync(join(serverDir, 'client-key.pem')));
  return { serverDir, clientDir };
}

/** A DOCKER_CERT_PATH whose client certificate comes from another CA, which the engine does not trust. */
export function makeStrangerCertificates(dir: string): string {
  mkdirSync(dir, { recursive: true });
  authority(dir);
  signed(dir, 'client', '/CN=stranger', 'extendedKeyUsage = clientAuth\n');
  writeFileSync(join(dir, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
  writeFileSync(join(dir, 'key.pem'), readFileSync(join(dir, 'client-key.pem')));
  return dir;
}
