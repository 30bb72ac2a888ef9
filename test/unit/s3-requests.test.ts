// Stevedore's own S3 client (lib/aws/s3-requests.ts) where the emulator cannot tell: the
// signature against AWS's published example, the XML S3 answers with, the names its errors get,
// and what it does when S3 fails, hangs or is not there. A server on loopback plays S3.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseListPage, S3RequestClient, s3Location } from '../../lib/aws/s3-requests.ts';
import { signRequest, sha256Hex } from '../../lib/aws/sigv4.ts';
import { escapeXml, parseXml } from '../../lib/aws/xml.ts';
import { Unavailable } from '../../lib/errors.ts';
import { useStandIn, type StandInAnswer } from '../support/stand-in.ts';

const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

// S3's published examples (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html),
// all of examplebucket on 2013-05-24: the path as the client encodes a key, the query, the headers.
interface Example {
  name: string;
  method: string;
  key: string | undefined;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  signature: string;
}
const EXAMPLES: Example[] = [
  { name: 'GET Object', method: 'GET', key: 'test.txt', query: {}, headers: { range: 'bytes=0-9' }, body: '', signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41' },
  {
    name: 'PUT Object',
    method: 'PUT',
    key: 'test$file.text',
    query: {},
    headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
    body: 'Welcome to Amazon S3.',
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  { name: 'GET Bucket Lifecycle', method: 'GET', key: undefined, query: { lifecycle: '' }, headers: {}, body: '', signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543' },
  { name: 'GET Bucket (List Objects)', method: 'GET', key: undefined, query: { prefix: 'J', 'max-keys': '2' }, headers: {}, body: '', signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7' },
];

describe('SigV4 signing', () => {
  it.each(EXAMPLES)("signs S3's published $name example to its published signature", ({ method, key, query, headers: extra, body, signature }) => {
    const { path } = s3Location(undefined, 'us-east-1', 'examplebucket', key);
    const headers = signRequest(
      { method, path, query, headers: { host: 'examplebucket.s3.amazonaws.com', ...extra }, payloadHash: sha256Hex(body) },
      { region: 'us-east-1', service: 's3', credentials: EXAMPLE_CREDENTIALS, date: new Date('2013-05-24T00:00:00Z') },
    );
    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=${Object.keys(headers).filter((h) => h !== 'authorization').sort().join(';')}, Signature=${signature}`,
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('signs the session token of temporary credentials as a header', () => {
    const headers = signRequest(
      { method: 'GET', path: '/', query: { 'list-type': '2', prefix: 'a b' }, headers: { host: 'h' }, payloadHash: sha256Hex('') },
      { region: 'eu-west-1', service: 's3', credentials: { ...EXAMPLE_CREDENTIALS, sessionToken: 'token/+=' } },
    );
    expect(headers['x-amz-security-token']).toBe('token/+=');
    expect(headers.authorization).toMatch(/SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, /);
  });
});

describe('addressing', () => {
  it('puts the bucket in the path on a configured endpoint and in the host name on AWS', () => {
    expect(s3Location(new URL('http://127.0.0.1:4569'), 'us-east-1', 'share', 'a b/c+d.tgz')).toEqual({ host: '127.0.0.1:4569', protocol: 'http:', path: '/share/a%20b/c%2Bd.tgz' });
    expect(s3Location(undefined, 'eu-west-1', 'share', 'x/y')).toEqual({ host: 'share.s3.eu-west-1.amazonaws.com', protocol: 'https:', path: '/x/y' });
    expect(s3Location(undefined, 'eu-west-1', 'my.share', undefined)).toEqual({ host: 's3.eu-west-1.amazonaws.com', protocol: 'https:', path: '/my.share' });
  });
});

describe('the XML of S3 answers', () => {
  it('reads a ListObjectsV2 page: keys with entities, sizes, common prefixes and the continuation token', () => {
    const page = parseListPage(
      parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>share</Name><Prefix>test/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>test/R&amp;D &lt;1&gt; &#x263A;.tgz</Key><LastModified>2026-12-07T00:00:00.000Z</LastModified><Size>1234</Size></Contents>
  <Contents><Key>test/ spaced </Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>test/a&amp;b/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>`),
    );
    expect(page).toEqual({
      contents: [
        { key: 'test/R&D <1> \u263A.tgz', size: 1234 },
        { key: 'test/ spaced ', size: 0 },
      ],
      commonPrefixes: ['test/a&b/'],
      keyCount: 3,
      nextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
  });

  it('has no continuation on the last page, even where the store names one', () => {
    const page = parseListPage(parseXml('<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>'));
    expect(page).toEqual({ contents: [], commonPrefixes: [], keyCount: 0, nextContinuationToken: undefined });
  });

  it('refuses a document that is not well nested', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/malformed XML/);
  });

  it('escapes what a key may hold so that it reads back the same', () => {
    const key = `a&b<c>"d'\r\n\te`;
    expect(parseXml(`<Key>${escapeXml(key)}</Key>`).text).toBe(key);
  });
});

// A stand-in for S3 on loopback: each request goes to `answer`, which the test sets.
const standIn = useStandIn();

async function fakeS3(answer: StandInAnswer, options: { idleTimeoutMs?: number; maxAttempts?: number } = {}) {
  const { seen, endpoint } = await standIn.start(answer);
  const client = standIn.owned(
    new S3RequestClient({
      region: 'us-east-1',
      endpoint,
      credentials: async () => EXAMPLE_CREDENTIALS,
      connectTimeoutMs: 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 2000,
      maxAttempts: options.maxAttempts ?? 5,
      retryBaseMs: 1,
    }),
  );
  return { client, seen, endpoint };
}

const xmlError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><Key>k</Key></Error>`);
};

describe('the S3 request client against a stand-in', () => {
  it('follows continuation tokens through every page of a listing', async () => {
    const { client, seen } = await fakeS3((req, res, count) => {
      res.end(
        count === 1
          ? '<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/1</Key><Size>1</Size></Contents><NextContinuationToken>t+1/=</NextContinuationToken></ListBucketResult>'
          : '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/2</Key><Size>2</Size></Contents></ListBucketResult>',
      );
    });
    const keys: string[] = [];
    for await (const page of client.listPages('share', { prefix: 'p/', delimiter: '/' })) keys.push(...page.contents.map((o) => o.key));
    expect(keys).toEqual(['p/1', 'p/2']);
    expect(seen.map((r) => r.url)).toEqual(['/share?delimiter=%2F&list-type=2&prefix=p%2F', '/share?continuation-token=t%2B1%2F%3D&delimiter=%2F&list-type=2&prefix=p%2F']);
  });

  it('names errors as the SDK does: by the code in the body, or for a HEAD by the status', async () => {
    const { client } = await fakeS3((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      if (req.method === 'GET') return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      xmlError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    });
    await expect(client.headObject('share', 'k')).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    await expect(client.getObject('share', 'k')).rejects.toMatchObject({ name: 'NoSuchKey', message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    await expect(client.putObject('share', 'k', Buffer.from('x'), { ifNoneMatch: '*' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
  });

  it('takes a copy that S3 answers 200 with an error in its body as that error', async () => {
    const { client, seen } = await fakeS3((req, res) => xmlError(res, 200, 'InternalError', 'We encountered an internal error.'));
    await expect(client.copyObject('share', 'to', 'share', 'from a')).rejects.toMatchObject({ name: 'InternalError' });
    expect(seen[0]!.headers['x-amz-copy-source']).toBe('/share/from%20a');
  });

  it('asks again after a 503 or throttling, and not after a 404', async () => {
    const { client, seen } = await fakeS3((req, res, count) => {
      if (req.url.startsWith('/share/missing')) return xmlError(res, 404, 'NoSuchKey', 'gone');
      if (count === 1) return xmlError(res, 503, 'SlowDown', 'Please reduce your request rate.');
      if (count === 2) return void res.writeHead(500).end();
      res.writeHead(200, { 'content-length': '3' }).end();
    });
    await expect(client.headObject('share', 'k')).resolves.toEqual({ contentLength: 3 });
    expect(seen).toHaveLength(3);
    await expect(client.getObject('share', 'missing')).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(seen).toHaveLength(4);
  });

  it('gives up on a lasting 500 after its attempts, with S3\'s error', async () => {
    const { client, seen } = await fakeS3((req, res) => xmlError(res, 500, 'InternalError', 'try later'), { maxAttempts: 3 });
    await expect(client.deleteObject('share', 'k')).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(seen).toHaveLength(3);
  });

  it('sends DeleteObjects with escaped keys and their MD5, and answers the keys S3 refused', async () => {
    const { client, seen } = await fakeS3((req, res) =>
      res.end('<DeleteResult><Error><Key>a&amp;b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>'),
    );
    await expect(client.deleteObjects('share', ['a&b', 'c<d'])).resolves.toEqual([{ key: 'a&b', code: 'AccessDenied', message: 'Access Denied' }]);
    const request = seen[0]!;
    expect(request.url).toBe('/share?delete=');
    expect(request.body).toContain('<Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c&lt;d</Key></Object>');
    expect(request.headers['content-md5']).toBe(createHash('md5').update(request.body).digest('base64'));
    expect(request.headers['x-amz-content-sha256']).toBe(sha256Hex(request.body));
  });

  it('is Unavailable naming S3 and the refusal when nothing listens, after its retries', async () => {
    const { client, endpoint } = await fakeS3(() => undefined);
    await standIn.stop();
    const failure = await client.headObject('share', 'k').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Unavailable);
    expect((failure as Error).message).toBe(`S3 at ${endpoint} cannot be reached (ECONNREFUSED)`);
  });

  it('is Unavailable after the idle timeout when S3 stops answering, and does not ask again', async () => {
    const { client, seen, endpoint } = await fakeS3(() => undefined, { idleTimeoutMs: 300 });
    const started = performance.now();
    const failure = await client.listObjectsV2('share', { prefix: 'p/' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Unavailable);
    expect((failure as Error).message).toBe(`S3 at ${endpoint} cannot be reached (it stopped answering)`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
  });

  it('is Unavailable when S3 stops in the middle of an answer', async () => {
    const { client } = await fakeS3((req, res) => {
      res.writeHead(206, { 'content-length': '100' });
      res.write('only part of it');
    }, { idleTimeoutMs: 300 });
    await expect(client.getObject('share', 'k', 'bytes=0-99')).rejects.toBeInstanceOf(Unavailable);
  });
});
