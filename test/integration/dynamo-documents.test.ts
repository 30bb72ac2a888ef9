// Stevedore's own DynamoDB client against DynamoDB Local: what the stores rely on, as the real
// service answers it (DynamoDB Local sends the CRC32 of its answers, which the client checks).
import { describe, expect, it } from 'vitest';
import { ConditionalCheckFailed, TransactionCanceled } from '../../lib/aws/dynamo-documents.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const doc = () => stack.aws.doc;
const table = () => stack.cfg.tableName;

describe('the DynamoDB client on DynamoDB Local', () => {
  it('writes and reads back plain values: nested maps, lists, numbers, booleans, sets, binary; undefined left out', async () => {
    const item = { pk: 'DOCS', sk: 'values', n: 12.5, big: 2 ** 40, flag: false, nested: { list: ['a', 1, { deep: null }] }, names: new Set(['x', 'y']), bytes: new Uint8Array([1, 2, 3]) };
    await doc().put({ TableName: table(), Item: { ...item, gone: undefined } });
    expect(await doc().get({ TableName: table(), Key: { pk: 'DOCS', sk: 'values' }, ConsistentRead: true })).toEqual(item);
    expect(await doc().get({ TableName: table(), Key: { pk: 'DOCS', sk: 'absent' }, ConsistentRead: true })).toBeUndefined();
  });

  it('refuses a write whose condition fails, and answers what an update asks to return', async () => {
    const key = { pk: 'DOCS', sk: 'counter' };
    await doc().put({ TableName: table(), Item: { ...key, value: 1 } });
    await expect(doc().put({ TableName: table(), Item: { ...key, value: 9 }, ConditionExpression: 'attribute_not_exists(pk)' })).rejects.toBeInstanceOf(ConditionalCheckFailed);
    await expect(doc().delete({ TableName: table(), Key: key, ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'value' }, ExpressionAttributeValues: { ':v': 2 } })).rejects.toBeInstanceOf(ConditionalCheckFailed);
    const updated = await doc().update({ TableName: table(), Key: key, UpdateExpression: 'ADD #v :one', ExpressionAttributeNames: { '#v': 'value' }, ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' });
    expect(updated).toEqual({ value: 2 });
    await doc().delete({ TableName: table(), Key: key });
    expect(await doc().get({ TableName: table(), Key: key, ConsistentRead: true })).toBeUndefined();
  });

  it('pages through a query, in the order asked', async () => {
    for (let i = 1; i <= 5; i++) await doc().put({ TableName: table(), Item: { pk: 'DOCS#paged', sk: String(i), i } });
    const pages = [];
    for await (const page of doc().queryPages({ TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DOCS#paged' }, ScanIndexForward: false, Limit: 2 })) pages.push(page.items.map((item) => item.i));
    expect(pages.flat()).toEqual([5, 4, 3, 2, 1]);
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('writes a transaction whole or, cancelled, not at all, with the reason of each item', async () => {
    await doc().put({ TableName: table(), Item: { pk: 'DOCS#tx', sk: 'taken' } });
    const cancelled = await doc()
      .transactWrite([
        { Put: { TableName: table(), Item: { pk: 'DOCS#tx', sk: 'new' } } },
        { Put: { TableName: table(), Item: { pk: 'DOCS#tx', sk: 'taken' }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ])
      .catch((err: unknown) => err);
    expect(cancelled).toBeInstanceOf(TransactionCanceled);
    expect((cancelled as TransactionCanceled).reasons.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(await doc().get({ TableName: table(), Key: { pk: 'DOCS#tx', sk: 'new' }, ConsistentRead: true })).toBeUndefined();

    await doc().transactWrite([
      { Put: { TableName: table(), Item: { pk: 'DOCS#tx', sk: 'new' } } },
      { Delete: { TableName: table(), Key: { pk: 'DOCS#tx', sk: 'taken' } } },
    ]);
    const { items } = await doc().query({ TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DOCS#tx' }, ConsistentRead: true });
    expect(items.map((item) => item.sk)).toEqual(['new']);
  });
});
