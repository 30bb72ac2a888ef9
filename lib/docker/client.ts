// A small typed client of the Docker Engine API over node:http: a unix socket or TCP (with TLS
// client certificates), JSON requests, streamed request and response bodies, and the API
// version negotiated from `GET /_ping` (Debian's 20.10 speaks 1.41; Docker 29 refuses clients
// older than 1.44, so the client speaks whatever the engine says it speaks, up to MAX_VERSION).
// Chosen over dockerode, whose dependencies (gRPC, protobuf) would ride in every bundle.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { Unavailable } from '../errors.ts';
import { once } from '../once.ts';
import { describeEndpoint, type DockerEndpoint } from './endpoint.ts';

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
}

export class DockerClient {
  private readonly connection: RequestOptions;
  private readonly send: typeof httpRequest;
  readonly version = once(() => this.negotiateVersion());

  constructor(readonly endpoint: DockerEndpoint) {
    if (endpoint.kind === 'unix') {
      this.connection = { socketPath: endpoint.socketPath };
      this.send = httpRequest;
    } else {
      const tls = endpoint.tls && { ca: readFileSync(endpoint.tls.caFile), cert: readFileSync(endpoint.tls.certFile), key: readFileSync(endpoint.tls.keyFile) };
      this.connection = { host: endpoint.host, port: endpoint.port, ...tls };
      this.send = tls ? (httpsRequest as typeof httpRequest) : httpRequest;
    }
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
    if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) return response;
    const text = await readText(response);
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: the text is the message
    }
    throw new DockerApiError(response.statusCode ?? 0, message || `the engine answered ${response.statusCode}`);
  }

  /**
   * The body of an answer, as a stream that fails with Unavailable, naming the engine and what
   * it was doing, when the engine stops before the answer is complete.
   */
  body(response: IncomingMessage, doing: string): Readable {
    const where = describeEndpoint(this.endpoint);
    return Readable.from(
      (async function* () {
        try {
          for await (const chunk of response) yield chunk as Buffer;
        } catch (err) {
          throw new Unavailable(`The Docker engine at ${where} stopped ${doing} (${(err as Error).message})`);
        }
        if (!response.complete) throw new Unavailable(`The Docker engine at ${where} stopped ${doing}`);
      })(),
    );
  }

  private async negotiateVersion(): Promise<string> {
    const ping = await this.raw({ method: 'GET', path: '/_ping' });
    ping.resume();
    const spoken = String(ping.headers['api-version'] ?? '1.41');
    return compareVersions(spoken, MAX_VERSION) < 0 ? spoken : MAX_VERSION;
  }

  private raw(request: DockerRequest): Promise<IncomingMessage> {
    const query = Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined);
    const path = query.length === 0 ? request.path : `${request.path}?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}`;
    const json = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
    const headers: Record<string, string> = { host: 'docker' };
    if (json) headers['content-type'] = 'application/json';
    if (request.body) headers['content-type'] = 'application/x-tar';
    return new Promise((resolve, reject) => {
      const req = this.send({ ...this.connection, method: request.method, path, headers, signal: request.signal, timeout: ANSWER_TIMEOUT_MS }, resolve);
      req.on('timeout', () => req.destroy(new Unavailable(`The Docker engine at ${describeEndpoint(this.endpoint)} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(isUnreachable(err) ? new Unavailable(`The Docker engine at ${describeEndpoint(this.endpoint)} cannot be reached (${err.code})`) : err));
      if (request.body) {
        request.body.on('error', (err) => req.destroy(err));
        request.body.pipe(req);
      } else req.end(json);
    });
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE']);
const isUnreachable = (err: NodeJS.ErrnoException) => err.code !== undefined && UNREACHABLE.has(err.code);

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
