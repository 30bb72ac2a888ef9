// Stevedore's own DynamoDB client (lib/aws/dynamo-documents.ts on lib/aws/json-requests.ts)
// where DynamoDB Local cannot tell: the request as AWS wants it signed, the errors DynamoDB
// answers with and what is asked again. A server on loopback plays DynamoDB.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../lib/aws/http-exchange.ts';
import { ConditionalCheckFailed, DYNAMODB, DynamoDocuments, Throttled, TransactionCanceled } from '../../lib/aws/dynamo-documents.ts';
import { JsonRequestClient } from '../../lib/aws/json-requests.ts';
import { sha256Hex } from '../../lib/aws/sigv4.ts';
import { useStandIn, type StandInRequest } from '../support/stand-in.ts';

const standIn = useStandIn();

const sent = (req: StandInRequest): Record<string, any> => JSON.parse(req.body);

/** A stand-in for DynamoDB: `answer` gives each request's status and JSON body (CRC32 header included unless `crc` says otherwise). */
async function fakeDynamo(answer: (req: StandInRequest, count: number) => { status?: number; body: unknown; crc?: number }, options: { maxAttempts?: number } = {}) {
  const { seen, endpoint } = await standIn.start((req, res, count) => {
    const { status = 200, body, crc } = answer(req, count);
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-crc32': String(crc ?? crc32(text)) }).end(text);
  });
  const client = standIn.owned(
    new DynamoDocuments(
      new JsonRequestClient(DYNAMODB, {
        region: 'eu-west-1',
        endpoint,
        credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' }),
        connectTimeoutMs: 1000,
        idleTimeoutMs: 2000,
        maxAttempts: options.maxAttempts ?? 5,
        retryBaseMs: 1,
      }),
    ),
  );
  return { client, seen };
}

const failure = (type: string, message: string, extra: Record<string, unknown> = {}) => ({ status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra } });

describe('the DynamoDB client against a stand-in', () => {
  it('sends an operation as AWS JSON 1.0, signed for dynamodb, with plain values marshalled and the answer unmarshalled', async () => {
    const { client, seen } = await fakeDynamo(() => ({ body: { Item: { pk: { S: 'TASK#export' }, n: { N: '12' }, tags: { L: [{ S: 'a' }] }, ok: { BOOL: true } } } }));

    const item = await client.get({ TableName: 't', Key: { pk: 'TASK#export', sk: '000000000001' }, ConsistentRead: true });

    expect(item).toEqual({ pk: 'TASK#export', n: 12, tags: ['a'], ok: true });
    const [request] = seen;
    expect(request!.url).toBe('/');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request!.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request!.headers['x-amz-content-sha256']).toBe(sha256Hex(request!.body));
    expect(request!.headers['x-amz-security-token']).toBe('session');
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(sent(request!)).toEqual({ TableName: 't', Key: { pk: { S: 'TASK#export' }, sk: { S: '000000000001' } }, ConsistentRead: true });
  });

  it('leaves out undefined values of items and expression values', async () => {
    const { client, seen } = await fakeDynamo(() => ({ body: {} }));
    await client.update({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { kept: 1, gone: undefined }, ':y': undefined } });
    expect(sent(seen[0]!).ExpressionAttributeValues).toEqual({ ':x': { M: { kept: { N: '1' } } } });
  });

  it('names a failed condition and a cancelled transaction with its reasons, item by item', async () => {
    const { client } = await fakeDynamo((req) =>
      req.headers['x-amz-target'] === 'DynamoDB_20120810.PutItem'
        ? failure('ConditionalCheckFailedException', 'The conditional request failed')
        : failure('TransactionCanceledException', 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]', {
            CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
          }),
    );
    const put = client.put({ TableName: 't', Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' });
    await expect(put).rejects.toBeInstanceOf(ConditionalCheckFailed);
    await expect(put).rejects.toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });

    const cancelled = await client.transactWrite([{ Put: { TableName: 't', Item: { pk: 'a', sk: 'b' } } }, { Delete: { TableName: 't', Key: { pk: 'c', sk: 'd' } } }]).catch((err: unknown) => err);
    expect(cancelled).toBeInstanceOf(TransactionCanceled);
    expect((cancelled as TransactionCanceled).reasons).toEqual([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
  });

  it('asks again after throttling, a 5xx or a damaged answer, with the same transaction token, and not after a refusal', async () => {
    const { client, seen } = await fakeDynamo((req, count) => {
      if (req.headers['x-amz-target'] !== 'DynamoDB_20120810.TransactWriteItems') return failure('ValidationException', 'One or more parameter values were invalid');
      if (count === 1) return failure('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.');
      if (count === 2) return { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' } };
      if (count === 3) return { body: {}, crc: 1 };
      return { body: {} };
    });

    await client.transactWrite([{ Put: { TableName: 't', Item: { pk: 'a', sk: 'b' } } }]);
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((r) => sent(r).ClientRequestToken)).size).toBe(1);

    const refused = await client.get({ TableName: 't', Key: { pk: 'a', sk: 'b' } }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AwsServiceError);
    expect(refused).toMatchObject({ name: 'ValidationException', message: 'One or more parameter values were invalid' });
    expect(seen).toHaveLength(5);
  });

  it('gives up on lasting throttling after its attempts, as Throttled', async () => {
    const { client, seen } = await fakeDynamo(() => failure('ThrottlingException', 'Rate of requests exceeds the allowed throughput.'), { maxAttempts: 3 });
    await expect(client.query({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'a' } })).rejects.toBeInstanceOf(Throttled);
    expect(seen).toHaveLength(3);
  });

  it('follows LastEvaluatedKey through every page of a query', async () => {
    const { client, seen } = await fakeDynamo((req, count) => ({
      body: count === 1 ? { Items: [{ n: { N: '1' } }], LastEvaluatedKey: { pk: { S: 'p' }, sk: { S: '1' } } } : { Items: [{ n: { N: '2' } }] },
    }));
    const items = [];
    for await (const page of client.queryPages({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'p' } })) items.push(...page.items);
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(seen.map((r) => sent(r).ExclusiveStartKey)).toEqual([undefined, { pk: { S: 'p' }, sk: { S: '1' } }]);
  });
});
