// Hostile paths and names against the share-folder API: every one is refused with the error
// envelope and leaves the bucket exactly as it was (same keys, same ETags). Paths are sent as
// raw request targets through node:http, never through fetch/URL, which would remove dot
// segments and re-encode characters before the server saw them.
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketHelpers } from '../support/bucket.ts';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_SHARE_FOLDERS: 'test:rw,Public:ro' });
const send = (method: string, path: string, body?: string) =>
  sendRaw(stack.url, method, path, body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const { bucketState, putObject } = bucketHelpers(stack);

const API = '/api/v1/sharefolder/';





/** UTF-8 bytes of a string as a latin1 string: sent raw, unencoded, in the request target. */
const rawUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const json = (value: unknown) => JSON.stringify(value);
const LONG = 'n'.repeat(256);

interface Row {
  method: 'GET' | 'POST' | 'DELETE';
  /** The raw request target (prefix included). */
  path: string;
  body?: string;
  status: 400 | 403 | 404;
  why: string;
}

const P = API;
/** The same API in absolute form; the host is never looked at. */
const A = `http://stevedore.test${API}`;
const create = (name: unknown, isDir = false) => json({ name, is_dir: isDir, context: 'pwned' });

const rows: Row[] = [
  // Traversal with literal dots: the router sees the URL with dot segments removed, the handler
  // the raw path; whichever looks, nothing escapes or silently changes meaning.
  { method: 'GET', path: `${P}..`, status: 404, why: 'resolves to /api/v1/, which has no route' },
  { method: 'GET', path: `${P}../../etc/passwd`, status: 404, why: 'resolves outside the API: no route' },
  { method: 'GET', path: `${P}test/../../../../etc/passwd`, status: 404, why: 'resolves outside the API: no route' },
  { method: 'GET', path: `${P}test/../x`, status: 400, why: '".." segment refused' },
  { method: 'GET', path: `${P}test/../test/`, status: 400, why: '".." segment refused even when it lands back in test' },
  { method: 'GET', path: `${P}test/keep/..`, status: 400, why: 'trailing ".." refused' },
  { method: 'GET', path: `/api/v2/../v1/sharefolder/test/`, status: 404, why: 'the raw path is not under an API prefix' },
  { method: 'GET', path: `/containerstation/api/v1/sharefolder/test/../Public/`, status: 400, why: '".." refused under the aliases too' },
  // Encoded dots and separators
  { method: 'GET', path: `${P}test/%2e%2e/secret`, status: 400, why: 'encoded ".." decodes to a ".." segment' },
  { method: 'GET', path: `${P}test/%2e%2e`, status: 400, why: 'encoded ".." decodes to a ".." segment' },
  { method: 'GET', path: `${P}test/%2E%2e%2fsecret`, status: 400, why: 'decodes to "../secret": a slash inside a name' },
  { method: 'GET', path: `${P}test/%252e%252e/secret`, status: 400, why: 'double-encoded: a literal "%2e" sequence in a name' },
  { method: 'GET', path: `${P}test/%5c..%5csecret`, status: 400, why: 'encoded backslashes inside a name' },
  { method: 'GET', path: `${P}test/keep%2ffile.txt`, status: 400, why: 'encoded slash inside a name' },
  { method: 'GET', path: `${P}//etc/passwd`, status: 400, why: 'absolute-looking: empty path segment' },
  { method: 'GET', path: `${P}test//keep`, status: 400, why: 'empty path segment' },
  { method: 'GET', path: `${P}test/./keep`, status: 400, why: '"." segment refused' },
  { method: 'GET', path: `${P}test/%2e/keep`, status: 400, why: 'encoded "." segment refused' },
  // NUL and control characters
  { method: 'GET', path: `${P}test/keep%00`, status: 400, why: 'NUL in a name' },
  // hono decodes the path before matching `{path+}` (`.+`), and `.` does not match a line
  // break: no route, in the local server and in Lambda alike (API Gateway's greedy path would
  // pass it on, to the same hono app).
  { method: 'GET', path: `${P}test/%0a`, status: 404, why: 'line feed: the route pattern does not match it' },
  { method: 'GET', path: `${P}test/keep%0d%0aX-Injected:%201`, status: 404, why: 'CR LF: the route pattern does not match it' },
  { method: 'DELETE', path: `${P}test/keep/file.txt%0a`, status: 404, why: 'line feed after a real file name' },
  { method: 'GET', path: `${P}test/%7f`, status: 400, why: 'DEL in a name' },
  // Unicode tricks
  { method: 'GET', path: `${P}test/%ef%bc%8fsecret`, status: 400, why: 'fullwidth solidus U+FF0F' },
  { method: 'GET', path: `${P}test/%ef%bc%8e%ef%bc%8e`, status: 400, why: 'fullwidth dots U+FF0E U+FF0E' },
  { method: 'GET', path: `${P}test/a%e2%88%95b`, status: 400, why: 'division slash U+2215' },
  { method: 'GET', path: `${P}test/%e2%80%aetxt.exe`, status: 400, why: 'right-to-left override U+202E' },
  { method: 'GET', path: `${P}test/ke%e2%80%8bep`, status: 400, why: 'zero-width space U+200B' },
  { method: 'GET', path: `${P}test/%c0%ae%c0%ae`, status: 400, why: 'overlong UTF-8 for "..": malformed encoding' },
  { method: 'GET', path: `${P}test/${LONG}`, status: 400, why: 'name over 255 bytes' },
  { method: 'GET', path: `${P}test/${'%c3%a9'.repeat(128)}`, status: 400, why: '128 x "é" = 256 UTF-8 bytes' },
  // Names in POST bodies (into a directory that exists and is writable)
  { method: 'POST', path: `${P}test/keep/`, body: create('../x'), status: 400, why: 'name "../x"' },
  { method: 'POST', path: `${P}test/keep/`, body: create('..', true), status: 400, why: 'name ".."' },
  { method: 'POST', path: `${P}test/keep/`, body: create('.', true), status: 400, why: 'name "."' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a/b'), status: 400, why: 'name with a slash' },
  { method: 'POST', path: `${P}test/keep/`, body: create('/abs'), status: 400, why: 'absolute name' },
  { method: 'POST', path: `${P}test/keep/`, body: create(''), status: 400, why: 'empty name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a\\b'), status: 400, why: 'name with a backslash' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a\u0000b'), status: 400, why: 'NUL in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a\nb'), status: 400, why: 'line feed in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a\u0007b'), status: 400, why: 'BEL in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('\uff0e\uff0e'), status: 400, why: 'fullwidth ".." in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('a\u2215b'), status: 400, why: 'division slash in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('\u202etxt.exe'), status: 400, why: 'RTL override in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create('%2e%2e'), status: 400, why: 'percent-encoded ".." in a name' },
  { method: 'POST', path: `${P}test/keep/`, body: create(LONG), status: 400, why: '256-byte name' },
  { method: 'POST', path: `${P}test/keep/`, body: create(' file.txt'), status: 400, why: 'leading white space' },
  { method: 'POST', path: `${P}test/keep/`, body: create(42), status: 400, why: 'name that is not a string' },
  // Hostile paths in POST
  { method: 'POST', path: `${P}test/keep/../../Public/`, body: create('x.txt'), status: 400, why: '".." in the directory path' },
  { method: 'POST', path: `${P}test/%2e%2e/Public/`, body: create('x.txt'), status: 400, why: 'encoded ".." in the directory path' },
  { method: 'POST', path: `${P}test/keep/file.txt/`, body: create('x.txt'), status: 400, why: 'the "directory" is a file' },
  { method: 'POST', path: `${P}secret/`, body: create('x.txt'), status: 400, why: 'not a share folder' },
  // DELETE of files and directories
  { method: 'DELETE', path: `${P}test/keep/sub/..`, status: 400, why: 'would resolve to directory test/keep/ (file form!)' },
  { method: 'DELETE', path: `${P}test/keep/sub/../`, status: 400, why: 'would resolve to directory test/keep/' },
  { method: 'DELETE', path: `${P}test/keep/sub/%2e%2e/`, status: 400, why: 'encoded form of the same' },
  { method: 'DELETE', path: `${P}test/keep/sub/.`, status: 400, why: 'would resolve to directory test/keep/sub/' },
  { method: 'DELETE', path: `${P}test/keep/%2e/`, status: 400, why: 'encoded "." segment' },
  { method: 'DELETE', path: `${P}test/keep/file.txt%00`, status: 400, why: 'NUL after a real file name' },
  { method: 'DELETE', path: `${P}test/keep/file.txt%2f..`, status: 400, why: 'encoded slash and ".." after a file name' },
  { method: 'DELETE', path: `${P}test/..%2f..%2fsecret/`, status: 400, why: 'encoded "../../secret" as one segment' },
  { method: 'DELETE', path: `${P}secret/passwd`, status: 400, why: 'a key outside every share folder' },
  { method: 'DELETE', path: `${P}test/keep/sub%5c`, status: 400, why: 'encoded backslash' },
  { method: 'DELETE', path: `${P}test/keep/${'%e2%80%8b'}sub/`, status: 400, why: 'zero-width space before a real directory' },
  { method: 'DELETE', path: `${P}//`, status: 400, why: 'no path at all' },
  { method: 'DELETE', path: `${P}test/`, status: 403, why: 'the share folder itself' },
  { method: 'DELETE', path: `${P}test/keep/../`, status: 400, why: 'would resolve to the share folder test/' },
  // Writes to the read-only share folder
  { method: 'POST', path: `${P}Public/`, body: create('x.txt'), status: 403, why: 'read-only share folder' },
  { method: 'POST', path: `${P}Public/docs/`, body: create('y', true), status: 403, why: 'read-only share folder' },
  { method: 'DELETE', path: `${P}Public/doc.txt`, status: 403, why: 'read-only share folder' },
  { method: 'DELETE', path: `${P}Public/docs/`, status: 403, why: 'read-only share folder' },
  { method: 'DELETE', path: `${P}Public/`, status: 403, why: 'read-only share folder' },
  { method: 'DELETE', path: `${P}Public/%2e%2e/test/keep/`, status: 400, why: '".." refused before anything else' },
  { method: 'POST', path: `${P}Public/`, body: create('../test/x'), status: 400, why: 'bad name refused before the permission check' },
  // Absolute-form targets (`curl --request-target http://host/...`): the same segment rules as
  // the origin form, on the path as the client sent it, whatever the host, scheme case or query.
  { method: 'DELETE', path: `${A}test/keep/sub/../`, status: 400, why: 'absolute form: ".." would delete directory test/keep/' },
  { method: 'DELETE', path: `${A}test/keep/sub/..`, status: 400, why: 'absolute form: trailing ".." in the file form' },
  { method: 'DELETE', path: `${A}test/keep/sub/%2e%2e/`, status: 400, why: 'absolute form: encoded ".."' },
  { method: 'DELETE', path: `${A}test/keep/sub/./`, status: 400, why: 'absolute form: "." segment' },
  { method: 'DELETE', path: `${A}test/keep/sub/../?x=1`, status: 400, why: 'absolute form with a query' },
  { method: 'DELETE', path: `HTTP://stevedore.test/api/v1/sharefolder/test/keep/sub/../`, status: 400, why: 'absolute form, upper-case scheme' },
  { method: 'GET', path: `${A}test/../Public/`, status: 400, why: 'absolute form: ".." would list Public' },
  { method: 'GET', path: `${A}test/%2e%2e/Public/?a=b`, status: 400, why: 'absolute form: encoded ".." with a query' },
  { method: 'GET', path: `${A}/test/keep`, status: 400, why: 'absolute form: empty first segment' },
  { method: 'POST', path: `${A}test/keep/sub/../`, body: create('x.txt'), status: 400, why: 'absolute form: ".." in the directory of a write' },
  { method: 'POST', path: `${A}test/keep/sub/%2E%2E/`, body: create('x.txt'), status: 400, why: 'absolute form: encoded ".." in the directory of a write' },
  { method: 'GET', path: `http://stevedore.test:8080/containerstation/api/v1/sharefolder/test/../Public/`, status: 400, why: 'absolute form with a port, under an alias' },
  { method: 'DELETE', path: `http://user@stevedore.test/api/v1/sharefolder/test/keep/sub/`, status: 400, why: 'absolute form with credentials in the authority' },
  { method: 'GET', path: `http://user:secret@stevedore.test/api/v1/sharefolder/test/keep`, status: 400, why: 'absolute form with a user and password' },
  { method: 'DELETE', path: `${P}test/keep/sub/#x`, status: 400, why: 'a raw "#" would cut the target and delete directory test/keep/sub/' },
  { method: 'GET', path: `${A}test/keep/#/../../Public`, status: 400, why: 'absolute form with a raw "#"' },
  // Request targets that are neither origin nor absolute form
  { method: 'GET', path: `*`, status: 400, why: 'asterisk form' },
  // A leading empty segment right after the route base is refused like any other empty segment
  { method: 'GET', path: `${P}/test/keep`, status: 400, why: 'leading "//": empty path segment, as in test//keep' },
  { method: 'DELETE', path: `${P}/test/keep/file.txt`, status: 400, why: 'leading "//" would delete test/keep/file.txt' },
  { method: 'DELETE', path: `${P}/test/keep/sub/`, status: 400, why: 'leading "//" would delete directory test/keep/sub/' },
  { method: 'POST', path: `${P}/test/keep/`, body: create('x.txt'), status: 400, why: 'leading "//" in the directory of a write' },
];

describe('hostile paths and names', () => {
  beforeAll(async () => {
    await putObject('test/keep/', '');
    await putObject('test/keep/file.txt', 'keep me');
    await putObject('test/keep/sub/', '');
    await putObject('test/keep/sub/inner.txt', 'inner');
    await putObject('Public/docs/', '');
    await putObject('Public/doc.txt', 'public');
    await putObject('Public/docs/manual.txt', 'manual');
    // Keys outside every share folder, that a traversal would aim at.
    await putObject('secret/passwd', 'root:x:0:0');
    await putObject('etc/passwd', 'root:x:0:0');
  });

  it('has at least 30 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it.each(rows)('$method $path → $status ($why)', async (row) => {
    // Prepare
    const before = await bucketState();

    // Act
    const answer = await send(row.method, row.path, row.body);

    // Assess
    expect({ status: answer.status, body: JSON.parse(answer.text || 'null') as unknown }).toStrictEqual({
      status: row.status,
      body: { error: { code: row.status, message: expect.stringMatching(/\S/) as string } },
    });
    expect(await bucketState()).toStrictEqual(before);
  });

  it('refuses a raw backslash or raw non-ASCII bytes in the path with 400, leaving the bucket as it was', async () => {
    // Prepare
    const before = await bucketState();

    // Act
    const backslash = await send('GET', `${P}test\\..\\secret`);
    const backslashDelete = await send('DELETE', `${P}test\\keep\\sub\\`);
    const rawFullwidthSolidus = await send('GET', `${P}test/${rawUtf8('\uff0f')}secret`);
    const rawDivisionSlashDelete = await send('DELETE', `${P}test/keep${rawUtf8('\u2215')}sub/`);
    const authorityForm = await send('DELETE', 'stevedore.test:8080');

    // Assess: refused before any stevedore code runs, by @hono/node-server (backslash) and by
    // Node's HTTP parser (non-ASCII bytes, an authority-form target), both with an empty body (see the next test)
    expect([backslash.status, backslashDelete.status, rawFullwidthSolidus.status, rawDivisionSlashDelete.status, authorityForm.status]).toStrictEqual([400, 400, 400, 400, 400]);
    expect(await bucketState()).toStrictEqual(before);
  });

  // @hono/node-server refuses a raw backslash before the app runs; its errorHandler (set where
  // the listener is created) answers with the envelope. Raw non-ASCII bytes are refused by
  // Node's own HTTP parser (a bare 400), before any code of ours could answer.
  it('answers a raw backslash in the path with the error envelope', async () => {
    // Prepare: nothing

    // Act
    const answer = await send('GET', `${P}test\\..\\secret`);

    // Assess
    expect(JSON.parse(answer.text)).toStrictEqual({ error: { code: 400, message: expect.any(String) as string } });
  });
});

describe('the import routes take their folder from the request target under the same rules', () => {
  const importCases = [
    { target: 'http://stevedore.test/api/v1/import/test/keep/sub/../?name=file.txt', message: 'Invalid path: ".." is not allowed in a path' },
    { target: 'http://stevedore.test/api/v1/import/test/keep/sub/%2e%2e/?name=file.txt', message: 'Invalid path: ".." is not allowed in a path' },
    { target: '/api/v1/import/test/keep/sub/%2e%2e/?name=file.txt', message: 'Invalid path: ".." is not allowed in a path' },
    { target: '/api/v1/import//test/keep/?name=file.txt', message: 'Invalid path: empty path segment' },
    { target: 'http://stevedore.test/api/v1/import//test/keep/?name=file.txt', message: 'Invalid path: empty path segment' },
    { target: '/api/v1/import/test/keep/?name=..', message: 'Invalid name: ".." is not allowed in a path' },
    { target: '/api/v1/import/test/keep/?name=%ff', message: 'Invalid query string: malformed percent-encoding' },
  ];

  it.each(importCases)('GET and POST $target → 400 "$message", and no task', async ({ target, message }) => {
    // Prepare
    const before = await bucketState();

    // Act
    const inspect = await send('GET', target);
    const submit = await send('POST', target, json({ name: 'imported', type: 'lxc' }));
    const tasks = await send('GET', '/api/v1/import/');

    // Assess
    expect({ status: inspect.status, body: JSON.parse(inspect.text) as unknown }).toStrictEqual({ status: 400, body: { error: { code: 400, message } } });
    expect({ status: submit.status, body: JSON.parse(submit.text) as unknown }).toStrictEqual({ status: 400, body: { error: { code: 400, message } } });
    expect(JSON.parse(tasks.text)).toStrictEqual([]);
    expect(await bucketState()).toStrictEqual(before);
  });
});

describe('an export path in the body meets the same segment rules', () => {
  // The container does not exist: a path that passes the rules reaches the container lookup
  // (404), one that breaks them is refused first (400).
  it.each([
    { path: '//test/a.tgz', status: 400, message: 'Invalid path: empty path segment' },
    { path: 'test//a.tgz', status: 400, message: 'Invalid path: empty path segment' },
    { path: '/test/../a.tgz', status: 400, message: 'Invalid path: ".." is not allowed in a path' },
    { path: '/test/a.tgz', status: 404, message: 'Container nosuch not found' },
    { path: 'test/a.tgz', status: 404, message: 'Container nosuch not found' },
  ])('POST export {"path": "$path"} → $status', async ({ path, status, message }) => {
    // Prepare
    const before = await bucketState();

    // Act
    const answer = await send('POST', '/api/v1/container/lxc/nosuch/export', json({ path }));

    // Assess
    expect({ status: answer.status, body: JSON.parse(answer.text) as unknown }).toStrictEqual({ status, body: { error: { code: status, message } } });
    expect(await bucketState()).toStrictEqual(before);
  });
});

describe('positive controls: the same requests with legal names succeed', () => {
  it('lists a directory through a raw path', async () => {
    // Prepare: the layout of beforeAll above

    // Act
    const answer = await send('GET', `${P}test/keep`);

    // Assess
    expect({ status: answer.status, body: JSON.parse(answer.text) as unknown }).toStrictEqual({
      status: 200,
      body: [
        { is_dir: true, name: 'sub', type: 'd' },
        { is_dir: false, name: 'file.txt', type: 'f' },
      ],
    });
  });

  it('lists a read-only share folder', async () => {
    // Prepare: the layout of beforeAll above

    // Act
    const answer = await send('GET', `${P}Public`);

    // Assess
    expect({ status: answer.status, body: JSON.parse(answer.text) as unknown }).toStrictEqual({
      status: 200,
      body: [
        { is_dir: true, name: 'docs', type: 'd' },
        { is_dir: false, name: 'doc.txt', type: 'f' },
      ],
    });
  });

  it('creates, then deletes, a file and a directory with legal names (also unicode and percent-free dots)', async () => {
    // Prepare
    await putObject('test/control/', '');

    // Act
    const madeFile = await send('POST', `${P}test/control/`, create('..legal.txt'));
    const madeDir = await send('POST', `${P}test/control/`, create('r\u00e9sum\u00e9 dir', true));
    const listed = await send('GET', `${P}test/control/r%C3%A9sum%C3%A9%20dir/`);
    const deletedFile = await send('DELETE', `${P}test/control/..legal.txt`);
    const deletedDir = await send('DELETE', `${P}test/control/r%C3%A9sum%C3%A9%20dir/`);
    const after = await bucketState();

    // Assess
    expect(madeFile.status).toBe(200);
    expect(JSON.parse(madeDir.text)).toStrictEqual([
      { is_dir: true, name: 'r\u00e9sum\u00e9 dir', type: 'd' },
      { is_dir: false, name: '..legal.txt', type: 'f' },
    ]);
    expect({ status: listed.status, text: listed.text }).toStrictEqual({ status: 200, text: '[]' });
    expect({ status: deletedFile.status, text: deletedFile.text }).toStrictEqual({ status: 200, text: '' });
    expect({ status: deletedDir.status, text: deletedDir.text }).toStrictEqual({ status: 200, text: '{}' });
    expect(Object.keys(after).filter((k) => k.startsWith('test/control/'))).toStrictEqual(['test/control/']);
  });

  it('deletes a directory named by its plain path (what the ".." rows would have deleted)', async () => {
    // Prepare
    await putObject('test/victim/', '');
    await putObject('test/victim/sub/', '');
    await putObject('test/victim/sub/x', 'x');

    // Act
    const refused = await send('DELETE', `${P}test/victim/sub/..`);
    const stillThere = Object.keys(await bucketState()).filter((k) => k.startsWith('test/victim/'));
    const deleted = await send('DELETE', `${P}test/victim/`);

    // Assess
    expect(refused.status).toBe(400);
    expect(stillThere).toStrictEqual(['test/victim/', 'test/victim/sub/', 'test/victim/sub/x']);
    expect({ status: deleted.status, text: deleted.text }).toStrictEqual({ status: 200, text: '{}' });
    expect(Object.keys(await bucketState()).filter((k) => k.startsWith('test/victim/'))).toStrictEqual([]);
  });

  it('writes to the writable share folder with the same body that Public refuses', async () => {
    // Prepare
    const body = create('x.txt');

    // Act
    const answer = await send('POST', `${P}test/`, body);

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toContainEqual({ is_dir: false, name: 'x.txt', type: 'f' });
  });
});
