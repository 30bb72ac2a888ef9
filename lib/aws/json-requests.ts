// The AWS JSON protocol (1.0 for DynamoDB, 1.1 for Secrets Manager), for stevedore's own
// clients: every operation is a signed `POST /` of a JSON document naming the operation in
// X-Amz-Target, and a failure is a JSON document whose `__type` names the error. The attempts,
// timeouts and "unreachable" reporting are those of every own client (lib/aws/http-exchange.ts).
import { crc32 } from 'node:zlib';
import { awsHost, AwsHttp, AwsServiceError, retryKind, type Answer, type AwsRequestOptions, type Failure } from './http-exchange.ts';

export interface JsonService {
  /** How errors and Unavailable name it, e.g. `DynamoDB`. */
  name: string;
  /** The SigV4 signing name, also the first label of its AWS host name, e.g. `dynamodb`. */
  signingName: string;
  /** The prefix of X-Amz-Target, e.g. `DynamoDB_20120810`. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** Whether answers carry the CRC32 of their body (DynamoDB's do), checked on arrival. */
  crc32?: boolean;
}

/** One operation that succeeded, for those who watch a client (lib/aws/command-log.ts). */
export interface SentOperation {
  operation: string;
  input: Record<string, unknown>;
  startedAt: number;
  endedAt: number;
}

export class JsonRequestClient {
  private readonly http: AwsHttp;
  private readonly host: string;
  private readonly protocol: string;
  private readonly path: string;
  private readonly watchers = new Set<(sent: SentOperation) => void>();

  constructor(
    private readonly service: JsonService,
    options: AwsRequestOptions,
  ) {
    this.http = new AwsHttp(service.name, options);
    const endpoint = this.http.endpoint;
    this.host = endpoint?.host ?? awsHost(service.signingName, options.region);
    this.protocol = endpoint?.protocol ?? 'https:';
    this.path = endpoint?.pathname ?? '/';
  }

  /** The operation's answer; a failure is an AwsServiceError named by its code. */
  async call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
    const startedAt = performance.now();
    const answer = await this.http.send(
      {
        method: 'POST',
        protocol: this.protocol,
        host: this.host,
        path: this.path,
        headers: { 'content-type': `application/x-amz-json-${this.service.jsonVersion}`, 'x-amz-target': `${this.service.targetPrefix}.${operation}` },
        body: Buffer.from(JSON.stringify(input, blobsAsBase64)),
        service: this.service.signingName,
      },
      (answer) => this.failureOf(answer),
    );
    const output = JSON.parse(answer.body.toString('utf8') || '{}') as T;
    for (const watcher of this.watchers) watcher({ operation, input, startedAt, endedAt: performance.now() });
    return output;
  }

  /** Calls `seen` after every operation that succeeds (once, however often it was asked), until the returned function is called. */
  watch(seen: (sent: SentOperation) => void): () => void {
    this.watchers.add(seen);
    return () => void this.watchers.delete(seen);
  }

  /** Closes the idle sockets. */
  destroy(): void {
    this.http.destroy();
  }

  private failureOf(answer: Answer): Failure | undefined {
    if (answer.status < 300) {
      const expected = answer.headers['x-amz-crc32'];
      // A body damaged on its way is asked for again, as a transient failure.
      if (this.service.crc32 && typeof expected === 'string' && crc32(answer.body) !== Number(expected)) {
        return { error: new AwsServiceError('CRC32CheckFailed', `${this.service.name}'s answer does not match its CRC32`, answer.status), retry: 'transient' };
      }
      return undefined;
    }
    const error = serviceError(this.service.name, answer);
    return { error, retry: retryKind(answer.status, error.code) };
  }
}

/** Blobs travel as base64 in the JSON protocols. */
function blobsAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
}

/** The error a failed answer stands for: its `__type` (or X-Amzn-ErrorType) without namespace, its message. */
export function serviceError(service: string, answer: Answer): AwsServiceError {
  let document: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(answer.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) document = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): named by its status below.
  }
  const header = answer.headers['x-amzn-errortype'];
  const type = String(document.__type ?? document.code ?? (typeof header === 'string' ? header : ''));
  const code = type.split('#').at(-1)!.split(':')[0]! || (answer.status >= 500 ? 'InternalError' : 'Unknown');
  const message = document.message ?? document.Message;
  return new AwsServiceError(code, typeof message === 'string' ? message : `${service} answered ${answer.status} (${code})`, answer.status, document);
}
