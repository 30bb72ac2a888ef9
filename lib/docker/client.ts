// A small typed client of the Docker Engine API over node:http: a unix socket or TCP (with TLS
// client certificates), JSON requests, streamed request and response bodies, and the API
// version negotiated from `GET /_ping` (Debian's 20.10 speaks 1.41; Docker 29 refuses clients
// older than 1.44, so the client speaks whatever the engine says it speaks, up to MAX_VERSION).
// Chosen over dockerode, whose dependencies (gRPC, protobuf) would ride in every bundle.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { Unavailable } from '../errors.ts';
import { CONNECTION_FAILURES } from '../network-errors.ts';
import { onceSucceeded } from '../once.ts';
import { chunksOf } from '../readable-chunks.ts';
import { describeEndpoint, type DockerEndpoint } from './endpoint.ts';
import { loadTlsMaterial, type SecretReader } from './tls.ts';

/** The newest API version this client was written against. */
const MAX_VERSION = '1.47';
/** How long a request may wait for the engine to answer its headers. */
const ANSWER_TIMEOUT_MS = 30_000;

/** An answer of the engine that is not a success: its status and its message. */
export class DockerApiError extends Error {
  override name = 'DockerApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DockerRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body, or a byte stream (a tar). */
  json?: unknown;
  body?: Readable;
  signal?: AbortSignal;
  /**
   * How long the socket may stay silent, ANSWER_TIMEOUT_MS unless given: longer for a request
   * the engine answers only after work that grows with a root filesystem's size.
   */
  idleTimeoutMs?: number;
}

interface Connection {
  options: RequestOptions;
  send: typeof httpRequest;
  /** Node takes TLS's server name from the Host header, so over TCP it is the engine's own name. */
  host: string;
}

export class DockerClient {
  // Neither is kept when it fails: an engine (or a secret store) that was down is asked again.
  private readonly connection = onceSucceeded(() => this.connect());
  readonly version = onceSucceeded(() => this.negotiateVersion());
  private readonly where: string;

  /** `readSecret` reads the TLS secret an endpoint may name (lib/aws/secret.ts in the cloud). */
  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly readSecret?: SecretReader,
  ) {
    this.where = describeEndpoint(endpoint);
  }

  /** A request whose answer is JSON (or empty): the parsed body, or a DockerApiError. */
  async json<T>(request: DockerRequest): Promise<T> {
    const response = await this.open(request);
    const text = await readText(response);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A request whose answer is a byte stream (an export, NDJSON progress). */
  async open(request: DockerRequest): Promise<IncomingMessage> {
    const version = await this.version();
    const response = await this.raw({ ...request, path: `/v${version}${request.path}` });
    if (succeeded(response)) return response;
    const status = response.statusCode ?? 0;
    const message = await messageOf(response);
    // The engine's own failure is no fault of the request: the engine is, for now, not serving.
    if (status >= 500) throw new Unavailable(`The Docker engine at ${this.where} failed: ${message}`);
    throw new DockerApiError(status, message);
  }

  /**
   * The body of an answer, as a stream that fails with Unavailable, naming the engine and what
   * it was doing, when the engine stops before the answer is complete.
   */
  body(response: IncomingMessage, doing: string): Readable {
    const where = this.where;
    return Readable.from(
      (async function* () {
        try {
          yield* chunksOf(response);
        } catch (err) {
          throw new Unavailable(`The Docker engine at ${where} stopped ${doing} (${(err as Error).message})`);
        }
        if (!response.complete) throw new Unavailable(`The Docker engine at ${where} stopped ${doing}`);
      })(),
    );
  }

  private async connect(): Promise<Connection> {
    const endpoint = this.endpoint;
    if (endpoint.kind === 'unix') return { options: { socketPath: endpoint.socketPath }, send: httpRequest, host: 'docker' };
    const tcp = { host: endpoint.host, port: endpoint.port };
    const host = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
    if (!endpoint.tls) return { options: tcp, send: httpRequest, host };
    const tls = await loadTlsMaterial(endpoint.tls, this.readSecret);
    return { options: { ...tcp, ...tls }, send: httpsRequest as typeof httpRequest, host };
  }

  private async negotiateVersion(): Promise<string> {
    const ping = await this.raw({ method: 'GET', path: '/_ping' });
    // Anything but an engine's "OK" (a TLS port spoken to in plain HTTP answers 400) is no engine to talk to.
    if (!succeeded(ping)) throw new Unavailable(`The Docker engine at ${this.where} answered GET /_ping with ${ping.statusCode}: ${await messageOf(ping)}`);
    ping.resume();
    const spoken = String(ping.headers['api-version'] ?? '1.41');
    return compareVersions(spoken, MAX_VERSION) < 0 ? spoken : MAX_VERSION;
  }

  private async raw(request: DockerRequest, resent = false): Promise<IncomingMessage> {
    const { options, send, host } = await this.connection();
    const query = Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined);
    const path = query.length === 0 ? request.path : `${request.path}?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}`;
    const json = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
    const headers: Record<string, string> = { host };
    if (json) headers['content-type'] = 'application/json';
    if (request.body) headers['content-type'] = 'application/x-tar';
    return new Promise((resolve, reject) => {
      const timeout = request.idleTimeoutMs ?? ANSWER_TIMEOUT_MS;
      // A request sent again goes on a connection of its own: another kept-alive one may be as stale.
      const req = send({ ...options, ...(resent ? { agent: false } : {}), method: request.method, path, headers, signal: request.signal, timeout }, resolve);
      req.on('timeout', () => req.destroy(new Unavailable(`The Docker engine at ${this.where} did not answer within ${timeout / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the engine closed (its idle timeout) just as this request went
        // out on it: a GET is sent again, once, on a new connection, as Node's documentation
        // advises. Nothing else is: the engine may have acted on it before the connection went.
        if (!resent && request.method === 'GET' && req.reusedSocket && RESET_ON_REUSE.has(err.code ?? '')) return resolve(this.raw(request, true));
        reject(this.unavailable(err) ?? err);
      });
      if (request.body) {
        request.body.on('error', (err) => req.destroy(err));
        request.body.pipe(req);
      } else req.end(json);
    });
  }

  /** What a failure to connect means to the caller; undefined for what is not one (a body's own error). */
  private unavailable(err: NodeJS.ErrnoException): Unavailable | undefined {
    if (err.code === undefined) return undefined;
    if (UNREACHABLE.has(err.code)) return new Unavailable(`The Docker engine at ${this.where} cannot be reached (${err.code})`);
    if (TLS_FAILURE.test(err.code)) return new Unavailable(`The TLS connection to the Docker engine at ${this.where} failed: ${tlsReason(err.code)} (${err.code})`);
    return undefined;
  }
}

/** How a request fails on a kept-alive connection that its far end had closed. */
const RESET_ON_REUSE = new Set(['ECONNRESET', 'EPIPE']);

/** A unix socket that is not there (ENOENT) is an engine that is not running, too. */
const UNREACHABLE = new Set([...CONNECTION_FAILURES, 'ENOENT']);
function tlsReason(code: string): string {
  if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN)/.test(code)) return 'the engine does not accept our client certificate';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'the engine\'s certificate is not for this address';
  if (/^(UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|CERT_)/.test(code)) return 'the engine\'s certificate is not signed by the CA we trust, or is not valid now';
  return 'the handshake was refused';
}

/** Node's codes for a handshake that failed: a certificate that does not verify, an alert from the engine. */
const TLS_FAILURE = /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;

const succeeded = (response: IncomingMessage) => response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;

/** The message of a failed answer: its JSON `message`, or its text. */
async function messageOf(response: IncomingMessage): Promise<string> {
  const text = await readText(response);
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // not JSON: the text is the message
  }
  return text.trim() || `the engine answered ${response.statusCode}`;
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** The lines of an NDJSON answer (image import progress), parsed one by one. */
export async function* ndjsonLines(response: AsyncIterable<Buffer>): AsyncGenerator<Record<string, unknown>> {
  let buffered = '';
  for await (const chunk of response) {
    buffered += (chunk as Buffer).toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield JSON.parse(line) as Record<string, unknown>;
    }
  }
  if (buffered.trim() !== '') yield JSON.parse(buffered) as Record<string, unknown>;
}
