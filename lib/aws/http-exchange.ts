// One signed request of stevedore's own AWS clients (lib/aws/s3-requests.ts,
// lib/aws/json-requests.ts) and the attempts it gets, so that every service is asked the same
// way the SDK clients are set up to ask (lib/aws/common.ts, lib/aws/unreachable.ts): the same
// connect and idle timeouts; a hang is not asked again and is Unavailable (five attempts would
// hold an API request for five timeouts, past the long poll's bound); a failure to connect is
// retried and then Unavailable; throttling, 5xx and transient answers are retried with the
// jittered, doubling backoff of the SDK's standard mode, throttling waiting five times as long.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import http from 'node:http';
import https from 'node:https';
import type { Config } from '../config.ts';
import { CONNECTION_FAILURES } from '../network-errors.ts';
import { sleep } from '../sleep.ts';
import { commonClientSettings } from './common.ts';
import { canonicalQuery, sha256Hex, signRequest, type Credentials } from './sigv4.ts';
import { unreachableBackend } from './unreachable.ts';

export interface AwsRequestOptions {
  region: string;
  /** A configured endpoint (LocalStack, an emulator); the service's AWS endpoint when unset. */
  endpoint?: string;
  credentials: () => Promise<Credentials>;
  connectTimeoutMs: number;
  /** A request whose socket stays silent this long fails, and is not asked again. */
  idleTimeoutMs: number;
  maxAttempts: number;
  /** The first retry's longest wait, doubling per attempt (throttling waits five times as long). */
  retryBaseMs?: number;
}

export interface SignedRequest {
  method: string;
  /** `https:` or `http:`. */
  protocol: string;
  /** The Host header: name and port. */
  host: string;
  /** The encoded path. */
  path: string;
  /** The query, not encoded; the path is sent with it in canonical order. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
  /** The SigV4 signing name of the service (`s3`, `dynamodb`). */
  service: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An answer of a service that is not a success, named by its code as the SDK names it. */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly $metadata: { httpStatusCode: number };
  constructor(
    code: string,
    message: string,
    status: number,
    /** The rest of the error's document, where the service says more (DynamoDB's cancellation reasons). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** How an answer that is not a success is retried: not, as transient, or as throttling. */
export type RetryKind = 'no' | 'transient' | 'throttling';

/** The SDK's throttling codes (and S3's own); their retries wait longer. */
const THROTTLING = new Set([
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete', 'ProvisionedThroughputExceededException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException',
  'TooManyRequestsException', 'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

export function retryKind(status: number, code: string): RetryKind {
  if (status === 429 || THROTTLING.has(code)) return 'throttling';
  return TRANSIENT_STATUS.has(status) || TRANSIENT_CODES.has(code) ? 'transient' : 'no';
}

export const isThrottling = (code: string) => THROTTLING.has(code);

/** A failed answer: the error it is, and whether asking again may help. */
export interface Failure {
  error: Error;
  retry: RetryKind;
}

/** The idle or connect timer ran out: the backend stopped answering; never retried. */
class Hung extends Error {}

/** Where the socket goes: a configured endpoint's host (an IPv6 address unbracketed) and port, or the AWS host. */
function socketTarget(request: SignedRequest, endpoint: URL | undefined) {
  return { host: endpoint?.hostname.replace(/^\[|\]$/g, '') ?? request.host, port: endpoint?.port || undefined };
}

/**
 * A keep-alive connection pool, the endpoint's attempts and its "unreachable" reporting: what a
 * client of one service holds. `name` is how Unavailable names the service.
 */
export class AwsHttp {
  readonly endpoint?: URL;
  private readonly agent: http.Agent;

  constructor(
    readonly name: string,
    readonly options: AwsRequestOptions,
  ) {
    this.endpoint = options.endpoint === undefined ? undefined : new URL(options.endpoint);
    const secure = this.endpoint === undefined || this.endpoint.protocol === 'https:';
    this.agent = new (secure ? https : http).Agent({ keepAlive: true, maxSockets: 50 });
  }

  /**
   * Sends the request until it succeeds or its attempts run out. `failureOf` judges each answer:
   * undefined for a success, else the error and its retry; the last attempt's error is thrown.
   */
  async send(request: SignedRequest, failureOf: (answer: Answer) => Failure | undefined): Promise<Answer> {
    const { maxAttempts, retryBaseMs = 100 } = this.options;
    const backoff = (attempt: number, factor = 1) => sleep(Math.random() * Math.min(20_000, factor * retryBaseMs * 2 ** attempt));
    for (let attempt = 1; ; attempt++) {
      let answer: Answer;
      try {
        answer = await this.once(request);
      } catch (err) {
        if (err instanceof Hung) throw this.unreachable('it stopped answering');
        const code = (err as NodeJS.ErrnoException).code;
        if (code === undefined || !CONNECTION_FAILURES.has(code)) throw err;
        if (attempt >= maxAttempts) throw this.unreachable(code);
        await backoff(attempt);
        continue;
      }
      const failure = failureOf(answer);
      if (failure === undefined) return answer;
      if (attempt >= maxAttempts || failure.retry === 'no') throw failure.error;
      await backoff(attempt, failure.retry === 'throttling' ? 5 : 1);
    }
  }

  /** Closes the idle sockets. */
  destroy(): void {
    this.agent.destroy();
  }

  private unreachable(why: string): Error {
    return unreachableBackend(this.name, this.options.endpoint, why);
  }

  private async once(request: SignedRequest): Promise<Answer> {
    const query = request.query ?? {};
    const body = request.body ?? Buffer.alloc(0);
    const headers = signRequest(
      { method: request.method, path: request.path, query, headers: { host: request.host, ...request.headers, ...(request.body ? { 'content-length': String(body.length) } : {}) }, payloadHash: sha256Hex(body) },
      { region: this.options.region, service: request.service, credentials: await this.options.credentials() },
    );
    const search = canonicalQuery(query);
    return new Promise<Answer>((resolve, reject) => {
      const req = (request.protocol === 'https:' ? https : http).request({
        protocol: request.protocol,
        ...socketTarget(request, this.endpoint),
        method: request.method,
        path: search ? `${request.path}?${search}` : request.path,
        headers,
        agent: this.agent,
      });
      let connectTimer: NodeJS.Timeout | undefined;
      const hang = () => {
        const hung = new Hung(`${this.name} stopped answering`);
        req.destroy(hung);
        reject(hung);
      };
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(hang, this.options.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(this.options.idleTimeoutMs, hang);
      req.once('error', (err) => {
        clearTimeout(connectTimer);
        reject(err);
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          clearTimeout(connectTimer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.end(request.body);
    });
  }
}

/** The options of a client of stevedore's own for `endpoint`, from the configuration. */
export function requestOptions(config: Config, endpoint: string | undefined, idleMs = config.backendIdleTimeoutMs): AwsRequestOptions {
  const { maxAttempts, requestHandler } = commonClientSettings(config, idleMs);
  return {
    region: config.region,
    endpoint,
    // The SDK clients' chain: the environment, profiles and the rest where stevedore runs
    // unbundled; in the Lambda bundles the environment alone (lib/aws/lambda-credentials.ts).
    credentials: defaultProvider(),
    connectTimeoutMs: requestHandler.connectionTimeout,
    idleTimeoutMs: requestHandler.socketTimeout,
    maxAttempts,
  };
}

/** The host name of a service on AWS in `region` (China's regions have their own domain). */
export const awsHost = (service: string, region: string) => `${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
