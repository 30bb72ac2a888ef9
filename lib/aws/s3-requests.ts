// A small S3 client of stevedore's own for the requests the API functions send (listings, heads,
// small reads and writes, deletes, a copy), so that their bundles carry no AWS SDK S3 client:
// that one alone is ~280 KiB minified (the schemas of every S3 operation, the XML protocol,
// checksums, endpoint rules). Archive transfers (streamed reads, multipart uploads) stay with
// the SDK's client in the worker (lib/aws/s3-transfers.ts).
//
// It asks as the SDK clients are set up to (lib/aws/http-exchange.ts), and S3's answers come out
// as errors named by their code (NoSuchKey, NotFound for a HEAD, PreconditionFailed) with
// `$metadata.httpStatusCode`, as the SDK's do.
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { ClientFactory } from './client-set.ts';
import { awsHost, AwsHttp, AwsServiceError, requestOptions, retryKind, type Answer, type AwsRequestOptions } from './http-exchange.ts';
import { uriEncode } from './sigv4.ts';
import { childrenNamed, childText, escapeXml, parseXml, type XmlElement } from './xml.ts';

export type S3RequestClientOptions = AwsRequestOptions;

export interface ObjectSummary {
  key: string;
  size: number;
}

export interface ListPage {
  contents: ObjectSummary[];
  /** The common prefixes of a listing with a delimiter, each ending in it. */
  commonPrefixes: string[];
  keyCount: number;
  /** Where the next page starts; undefined on the last one. */
  nextContinuationToken?: string;
}

export interface ListParams {
  prefix: string;
  delimiter?: string;
  maxKeys?: number;
  continuationToken?: string;
}

export interface DeleteError {
  key: string;
  code: string;
  message: string;
}

interface Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** The name the SDK gives an answer without an error body (a HEAD's): by its status. */
const STATUS_NAMES: Readonly<Record<number, string>> = { 304: 'NotModified', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed' };

/** A key as a path: each segment encoded, the slashes kept. */
const encodeKey = (key: string) => key.split('/').map(uriEncode).join('/');

/** Bucket names that can be a host name's label under TLS (no dots, no capitals). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export class S3RequestClient {
  private readonly http: AwsHttp;

  constructor(options: S3RequestClientOptions) {
    this.http = new AwsHttp('S3', options);
  }

  /** The object's size; rejects with NotFound (404) when there is none. */
  async headObject(bucket: string, key: string): Promise<{ contentLength: number }> {
    const answer = await this.send({ method: 'HEAD', bucket, key });
    return { contentLength: Number(answer.headers['content-length'] ?? 0) };
  }

  /** The object's bytes, or the `bytes=a-b` range of them; NoSuchKey (404) when there is none. */
  async getObject(bucket: string, key: string, range?: string): Promise<Buffer> {
    return (await this.send({ method: 'GET', bucket, key, headers: range === undefined ? {} : { range } })).body;
  }

  /** A small object in one request; `ifNoneMatch: '*'` refuses to replace one (412, PreconditionFailed). */
  async putObject(bucket: string, key: string, body: Buffer, options: { ifNoneMatch?: string; contentType?: string } = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    await this.send({ method: 'PUT', bucket, key, headers, body });
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.send({ method: 'DELETE', bucket, key });
  }

  /** Deletes up to 1000 keys in one request; answers the keys S3 refused to delete. */
  async deleteObjects(bucket: string, keys: readonly string[]): Promise<DeleteError[]> {
    const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('');
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${objects}</Delete>`);
    const headers = { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') };
    const result = successDocument(await this.send({ method: 'POST', bucket, query: { delete: '' }, headers, body }));
    return childrenNamed(result, 'Error').map((error) => ({ key: childText(error, 'Key') ?? '', code: childText(error, 'Code') ?? '', message: childText(error, 'Message') ?? '' }));
  }

  /** Copies an object within S3 (the bytes never pass through here). */
  async copyObject(bucket: string, key: string, sourceBucket: string, sourceKey: string): Promise<void> {
    // S3 may answer a copy 200 and report its failure in the body.
    successDocument(await this.send({ method: 'PUT', bucket, key, headers: { 'x-amz-copy-source': `/${uriEncode(sourceBucket)}/${encodeKey(sourceKey)}` } }));
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.send({ method: 'DELETE', bucket, key, query: { uploadId } });
  }

  /** One page of ListObjectsV2. */
  async listObjectsV2(bucket: string, params: ListParams): Promise<ListPage> {
    const query: Record<string, string> = { 'list-type': '2', prefix: params.prefix };
    if (params.delimiter !== undefined) query.delimiter = params.delimiter;
    if (params.maxKeys !== undefined) query['max-keys'] = String(params.maxKeys);
    if (params.continuationToken !== undefined) query['continuation-token'] = params.continuationToken;
    return parseListPage(successDocument(await this.send({ method: 'GET', bucket, query })));
  }

  /** Every page of a listing, one after the other. */
  async *listPages(bucket: string, params: Omit<ListParams, 'continuationToken'>): AsyncGenerator<ListPage> {
    let continuationToken: string | undefined;
    do {
      const page = await this.listObjectsV2(bucket, { ...params, continuationToken });
      yield page;
      continuationToken = page.nextContinuationToken;
    } while (continuationToken !== undefined);
  }

  /** Closes the idle sockets. */
  destroy(): void {
    this.http.destroy();
  }

  private send(request: Request): Promise<Answer> {
    const { host, path, protocol } = s3Location(this.http.endpoint, this.http.options.region, request.bucket, request.key);
    return this.http.send({ ...request, host, path, protocol, headers: request.headers ?? {}, service: 's3' }, (answer) => {
      if (answer.status < 300) return undefined;
      const error = errorOf(answer);
      return { error, retry: retryKind(answer.status, error.code) };
    });
  }
}

/** Path style on a configured endpoint, virtual-hosted style on AWS where the bucket's name allows. */
export function s3Location(endpoint: URL | undefined, region: string, bucket: string, key: string | undefined): { host: string; path: string; protocol: string } {
  const keyPath = key === undefined ? '' : `/${encodeKey(key)}`;
  if (endpoint) return { host: endpoint.host, protocol: endpoint.protocol, path: `${endpoint.pathname.replace(/\/$/, '')}/${uriEncode(bucket)}${keyPath}` };
  const domain = awsHost('s3', region);
  if (VIRTUAL_HOSTABLE.test(bucket)) return { host: `${bucket}.${domain}`, protocol: 'https:', path: keyPath || '/' };
  return { host: domain, protocol: 'https:', path: `/${uriEncode(bucket)}${keyPath}` };
}

/** The error of an answer: its XML body's code and message, or the name of its status. */
function errorOf(answer: Answer): AwsServiceError {
  let document: XmlElement | undefined;
  try {
    document = answer.body.length > 0 ? parseXml(answer.body.toString('utf8')) : undefined;
  } catch {
    document = undefined;
  }
  const code = (document?.name === 'Error' && childText(document, 'Code')) || STATUS_NAMES[answer.status] || (answer.status >= 500 ? 'InternalError' : 'Unknown');
  const message = (document?.name === 'Error' && childText(document, 'Message')) || `S3 answered ${answer.status} (${code})`;
  return new AwsServiceError(code, message, answer.status);
}

/** The XML document of a successful answer; one that holds an `<Error>` (a copy may) is that error. */
function successDocument(answer: Answer): XmlElement {
  const document = parseXml(answer.body.toString('utf8'));
  if (document.name === 'Error') throw errorOf({ ...answer, status: answer.status < 300 ? 500 : answer.status });
  return document;
}

export function parseListPage(result: XmlElement): ListPage {
  const contents = childrenNamed(result, 'Contents').map((object) => ({ key: childText(object, 'Key') ?? '', size: Number(childText(object, 'Size') ?? 0) }));
  const commonPrefixes = childrenNamed(result, 'CommonPrefixes').map((common) => childText(common, 'Prefix') ?? '');
  const truncated = childText(result, 'IsTruncated') === 'true';
  const keyCount = childText(result, 'KeyCount');
  return {
    contents,
    commonPrefixes,
    keyCount: keyCount === undefined ? contents.length + commonPrefixes.length : Number(keyCount),
    nextContinuationToken: truncated ? childText(result, 'NextContinuationToken') : undefined,
  };
}

function newClient(config: Config, idleMs: number): S3RequestClient {
  return new S3RequestClient(requestOptions(config, config.s3Endpoint ?? config.endpoint, idleMs));
}

/** The share storage's and the built-in runtime's requests, which fail after the API's idle timeout. */
export const s3Requests: ClientFactory<S3RequestClient> = (config) => newClient(config, config.backendIdleTimeoutMs);
