// The share-folder functions as deployed: their esbuild bundles, loaded in a process of their
// own with the Lambda's credential chain (the environment alone, lib/aws/lambda-credentials.ts),
// reach the S3 emulator through stevedore's own S3 client. (s3rver checks the access key but no
// SigV4 signature; test/unit/s3-requests.test.ts holds the signer to AWS's published examples.)
// The bundles of the API functions carry no SDK S3 client; the worker's keeps it for transfers.
// No function carries the SDK's DynamoDB or Secrets Manager clients: the table and the secret are
// reached through stevedore's own (lib/aws/dynamo-documents.ts, lib/aws/secret.ts).
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleModules } from '../../infra/aws/bundle.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const { putObject, keysUnder } = bucketHelpers(stack);

const MODULES = ['sharefolder/list', 'sharefolder/create', 'sharefolder/delete', 'import/inspect', 'container/list', 'export/create', 'worker/tasks'];
const bundles = () => bundleModules(MODULES);

/** Each request in turn through the bundle's handler, in one fresh Node process: the answers' status and body. */
function invokeBundled(calls: { module: string; method: string; path: string; body?: string }[]): { status: number; body: unknown }[] {
  const requests = calls.map(({ module, method, path, body }) => ({
    url: pathToFileURL(bundles().get(module)!.file).href,
    event: {
      version: '2.0',
      routeKey: `${method} /api/v1/sharefolder/{path+}`,
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com', 'content-type': 'application/json' },
      requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' }, requestId: 'r', stage: '$default', timeEpoch: Date.now() },
      ...(body === undefined ? {} : { body }),
      isBase64Encoded: false,
    },
  }));
  const script = `const answers = [];
for (const { url, event } of ${JSON.stringify(requests)}) {
  const { handler } = await import(url);
  const result = await handler(event, { functionName: 'stevedore', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 });
  answers.push({ status: result.statusCode, body: JSON.parse(result.body) });
}
console.log(JSON.stringify(answers));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('the share-folder functions, bundled as deployed', () => {
  it('list, create and delete through their own S3 client, names with XML entities included', async () => {
    // Prepare
    await putObject('test/bundled/R&D <1>.txt', 'x');
    await putObject('test/bundled/old/a.txt', 'a');
    await putObject('test/bundled/old/b.txt', 'b');

    // Act
    const answers = invokeBundled([
      { module: 'sharefolder/create', method: 'POST', path: '/api/v1/sharefolder/test/bundled/', body: '{"name":"new","is_dir":true}' },
      { module: 'sharefolder/delete', method: 'DELETE', path: '/api/v1/sharefolder/test/bundled/old/' },
      { module: 'sharefolder/list', method: 'GET', path: '/api/v1/sharefolder/test/bundled/' },
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[2]!.body).toEqual([
      { is_dir: true, name: 'new', type: 'd' },
      { is_dir: false, name: 'R&D <1>.txt', type: 'f' },
    ]);
    expect(await keysUnder('test/bundled/')).toEqual(['test/bundled/R&D <1>.txt', 'test/bundled/new/']);
  });

  it('carry no SDK S3 client in the API functions, and keep it in the worker', () => {
    const carriesSdkS3 = (module: string) => Object.keys(bundles().get(module)!.inputs).some((input) => input.includes('node_modules/@aws-sdk/client-s3/'));
    expect(MODULES.filter(carriesSdkS3)).toEqual(['worker/tasks']);
  });

  it('carry no SDK DynamoDB or Secrets Manager client, the worker included', () => {
    const sdkClients = (module: string) => Object.keys(bundles().get(module)!.inputs).filter((input) => /node_modules\/@aws-sdk\/(client-dynamodb|lib-dynamodb|client-secrets-manager)\//.test(input));
    expect(MODULES.flatMap(sdkClients)).toEqual([]);
  });
});
