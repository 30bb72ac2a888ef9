// How long names and paths may be: what the API accepts can always be stored, listed and
// deleted again, and what it cannot store is a 400 before anything is written. Over-long
// request targets (kilobytes) answer the envelope with a short message. Raw node:http requests,
// so the target reaches the server byte for byte.
import { describe, expect, it } from 'vitest';
import { bucketHelpers } from '../support/bucket.ts';
import { sendRaw, type RawAnswer } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_SHARE_FOLDERS: 'test:rw,Public:ro' });
const send = (method: string, path: string, body?: string) => sendRaw(stack.url, method, path, { body });
const { bucketState, putObject } = bucketHelpers(stack);

const API = '/api/v1/sharefolder';





const create = (name: string, isDir: boolean) => JSON.stringify({ name, is_dir: isDir, context: 'x' });
const parsed = (answer: RawAnswer) => ({ status: answer.status, body: JSON.parse(answer.text || 'null') as unknown });
const envelope400 = (message: string | RegExp) => ({ status: 400, body: { error: { code: 400, message: typeof message === 'string' ? message : expect.stringMatching(message) } } });
/** A message quotes at most 100 characters of client input (plus its own text around that). */
const SHORT = /^.{1,300}$/su;

describe('names: at most 233 bytes, what s3rver can keep under the 255-byte file name limit', () => {
  it('creates, lists and deletes a file and a directory whose names are exactly 233 bytes', async () => {
    // Prepare
    await putObject('test/at-limit/');
    const fileName = 'f'.repeat(233);
    const dirName = `${'\u00e9'.repeat(116)}d`; // 232 + 1 bytes

    // Act
    const madeFile = await send('POST', `${API}/test/at-limit/`, create(fileName, false));
    const madeDir = await send('POST', `${API}/test/at-limit/`, create(dirName, true));
    const listedRoot = await send('GET', `${API}/`);
    const listed = await send('GET', `${API}/test/at-limit/`);
    const deletedFile = await send('DELETE', `${API}/test/at-limit/${fileName}`);
    const deletedDir = await send('DELETE', `${API}/test/at-limit/${encodeURIComponent(dirName)}/`);

    // Assess
    expect(parsed(madeFile).status).toBe(200);
    expect(parsed(madeDir)).toStrictEqual({
      status: 200,
      body: [
        { is_dir: true, name: dirName, type: 'd' },
        { is_dir: false, name: fileName, type: 'f' },
      ],
    });
    expect(listedRoot.status).toBe(200);
    expect(parsed(listed)).toStrictEqual(parsed(madeDir));
    expect({ status: deletedFile.status, text: deletedFile.text }).toStrictEqual({ status: 200, text: '' });
    expect({ status: deletedDir.status, text: deletedDir.text }).toStrictEqual({ status: 200, text: '{}' });
    expect(Object.keys(await bucketState()).filter((k) => k.startsWith('test/at-limit/'))).toStrictEqual(['test/at-limit/']);
  });

  it.each([
    { what: 'file', bytes: 234, name: 'f'.repeat(234), isDir: false },
    { what: 'file', bytes: 240, name: 'f'.repeat(240), isDir: false },
    { what: 'file', bytes: 255, name: 'f'.repeat(255), isDir: false },
    { what: 'file', bytes: 234, name: '\u00e9'.repeat(117), isDir: false },
    { what: 'directory', bytes: 234, name: 'd'.repeat(234), isDir: true },
    { what: 'directory', bytes: 241, name: 'd'.repeat(241), isDir: true },
    { what: 'directory', bytes: 255, name: 'd'.repeat(255), isDir: true },
  ])('refuses a $what name of $bytes bytes with 400, writes nothing, and the folder still lists', async ({ name, isDir }) => {
    // Prepare
    await putObject('test/long/');
    await putObject('test/long/kept.txt', 'kept');
    const before = await bucketState();

    // Act
    const answer = await send('POST', `${API}/test/long/`, create(name, isDir));
    const listed = await send('GET', `${API}/test/long/`);
    const root = await send('GET', `${API}/`);

    // Assess
    expect(parsed(answer)).toStrictEqual(envelope400('Invalid name: names may be at most 233 bytes'));
    expect(await bucketState()).toStrictEqual(before);
    expect(parsed(listed)).toStrictEqual({ status: 200, body: [{ is_dir: false, name: 'kept.txt', type: 'f' }] });
    expect(root.status).toBe(200);
  });

  it('refuses a 234-byte segment in a request path (GET, POST and DELETE) with 400', async () => {
    // Prepare
    const before = await bucketState();
    const segment = 's'.repeat(234);

    // Act
    const answers = await Promise.all([
      send('GET', `${API}/test/${segment}/`),
      send('POST', `${API}/test/${segment}/`, create('x', true)),
      send('DELETE', `${API}/test/${segment}`),
      send('DELETE', `${API}/test/${segment}/`),
    ]);

    // Assess
    for (const answer of answers) expect(parsed(answer)).toStrictEqual(envelope400('Invalid path: names may be at most 233 bytes'));
    expect(await bucketState()).toStrictEqual(before);
  });
});

describe('paths: at most 1023 bytes, so that even a directory marker fits a 1024-byte key', () => {
  // test/ + 4 x (200 + 1) = 809 bytes: a deep folder to create into.
  const deep = ['test', ...Array.from({ length: 4 }, (_, i) => `${i}`.repeat(200))];
  const deepPath = deep.join('/');

  it('creates a directory whose marker key is exactly 1024 bytes, and lists and deletes it', async () => {
    // Prepare
    await putObject(`${deepPath}/`);
    const name = 'n'.repeat(1023 - Buffer.byteLength(deepPath) - 1); // path = 1023 bytes

    // Act
    const made = await send('POST', `${API}/${deepPath}/`, create(name, true));
    const listed = await send('GET', `${API}/${deepPath}/${name}/`);
    const deleted = await send('DELETE', `${API}/${deepPath}/${name}/`);

    // Assess
    expect(parsed(made)).toStrictEqual({ status: 200, body: [{ is_dir: true, name, type: 'd' }] });
    expect(parsed(listed)).toStrictEqual({ status: 200, body: [] });
    expect(deleted.status).toBe(200);
  });

  it('refuses a file or directory whose path would be 1024 bytes with 400 and writes nothing', async () => {
    // Prepare
    await putObject(`${deepPath}/`);
    const name = 'n'.repeat(1024 - Buffer.byteLength(deepPath) - 1); // path = 1024 bytes
    const before = await bucketState();

    // Act
    const asFile = await send('POST', `${API}/${deepPath}/`, create(name, false));
    const asDir = await send('POST', `${API}/${deepPath}/`, create(name, true));
    const listed = await send('GET', `${API}/${deepPath}/${name}/`);

    // Assess
    expect(parsed(asFile)).toStrictEqual(envelope400('Invalid path: paths may be at most 1023 bytes'));
    expect(parsed(asDir)).toStrictEqual(envelope400('Invalid path: paths may be at most 1023 bytes'));
    expect(parsed(listed)).toStrictEqual(envelope400('Invalid path: paths may be at most 1023 bytes'));
    expect(await bucketState()).toStrictEqual(before);
  });
});

describe('very long request targets answer a 400 envelope with a short message', () => {
  const segments = (n: number) => Array.from({ length: n }, () => 'a').join('/');
  const targets = [
    { what: '3000 segments (6 KB)', tail: `test/${segments(3000)}` },
    { what: '4000 segments (8 KB)', tail: `test/${segments(4000)}` },
    { what: '7500 segments (15 KB)', tail: `test/${segments(7500)}` },
    { what: 'a share folder that does not exist, 8 KB', tail: `nosuch/${segments(4000)}` },
    { what: 'one 8 KB segment', tail: `test/${'b'.repeat(8000)}` },
  ];

  it.each(targets)('GET, POST and DELETE of $what', async ({ tail }) => {
    // Prepare
    const before = await bucketState();

    // Act
    const answers = await Promise.all([
      send('GET', `${API}/${tail}`),
      send('POST', `${API}/${tail}/`, create('x', true)),
      send('DELETE', `${API}/${tail}`),
      send('DELETE', `${API}/${tail}/`),
    ]);

    // Assess
    for (const answer of answers) expect(parsed(answer)).toStrictEqual(envelope400(SHORT));
    expect(await bucketState()).toStrictEqual(before);
  });

  it('quotes a missing share path as the message, cut to 100 characters and an ellipsis', async () => {
    // Prepare
    const tail = `nosuch/${Array.from({ length: 5 }, () => 'c'.repeat(100)).join('/')}`;

    // Act
    const answer = await send('GET', `${API}/${tail}`);

    // Assess
    expect(parsed(answer)).toStrictEqual(envelope400(`${tail.slice(0, 100)}…`));
  });

  it('quotes at most 100 characters of a long unknown route in its 404', async () => {
    // Prepare
    const path = `/api/v1/${'z'.repeat(8000)}`;

    // Act
    const answer = await send('GET', path);

    // Assess
    expect(parsed(answer)).toStrictEqual({ status: 404, body: { error: { code: 404, message: `No route for GET ${path.slice(0, 100)}…` } } });
  });

  it('quotes at most 100 characters of a long export path in its 400', async () => {
    // Prepare: every segment legal, the whole path under the key limit, the file name wrong
    const path = `test/${Array.from({ length: 4 }, () => 'e'.repeat(200)).join('/')}/x.zip`;

    // Act
    const answer = await send('POST', '/api/v1/container/lxc/nosuch/export', JSON.stringify({ path }));

    // Assess
    expect(parsed(answer)).toStrictEqual(envelope400(SHORT));
    expect(answer.text).toContain(`${path.slice(0, 100)}…`);
  });
});

describe('listings leave out what the API cannot address', () => {
  it('lists a folder holding keys with over-long, look-alike or space-padded names, showing only the addressable ones', async () => {
    // Prepare: keys another tool could have written (s3rver itself cannot hold `a//b`)
    await putObject('test/mixed/');
    await putObject('test/mixed/good.txt', 'g');
    await putObject('test/mixed/gooddir/');
    await putObject(`test/mixed/${'l'.repeat(233)}x/inner.txt`, 'l'); // a directory name of 234 bytes
    await putObject('test/mixed/division\u2215slash.txt', 'b');
    await putObject('test/mixed/trailing-space.txt ', 't');
    await putObject('test/mixed/ leading-space.txt', 's');

    // Act
    const answer = await send('GET', `${API}/test/mixed/`);

    // Assess
    expect(parsed(answer)).toStrictEqual({
      status: 200,
      body: [
        { is_dir: true, name: 'gooddir', type: 'd' },
        { is_dir: false, name: 'good.txt', type: 'f' },
      ],
    });
  });
});
