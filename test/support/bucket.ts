// Direct reads and writes of a test stack's bucket, for preparing what the API should find and
// checking what it left. Bound to the stack lazily: its clients exist only once beforeAll ran.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { TestStack } from './stack.ts';

export interface BucketHelpers {
  putObject(key: string, body?: string | Buffer): Promise<void>;
  readObject(key: string): Promise<Buffer>;
  readText(key: string): Promise<string>;
  objectExists(key: string): Promise<boolean>;
  /** Every key under the prefix, sorted, across listing pages. */
  keysUnder(prefix: string): Promise<string[]>;
  /** Every key under the prefix with its ETag: equal before and after means nothing there changed. */
  stateUnder(prefix: string): Promise<Record<string, string>>;
  /** stateUnder the whole bucket. */
  bucketState(): Promise<Record<string, string>>;
}

export function bucketHelpers(stack: TestStack): BucketHelpers {
  async function* objects(prefix: string) {
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await stack.aws.s3.send(
        new ListObjectsV2Command({ Bucket: stack.cfg.bucketName, Prefix: prefix, ContinuationToken: token }),
      );
      yield* page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  async function readObject(key: string): Promise<Buffer> {
    const out = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.cfg.bucketName, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }
  async function stateUnder(prefix: string): Promise<Record<string, string>> {
    const state: Record<string, string> = {};
    for await (const object of objects(prefix)) state[object.Key!] = object.ETag!;
    return state;
  }
  return {
    readObject,
    stateUnder,
    async putObject(key, body = '') {
      await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: key, Body: Buffer.from(body) }));
    },
    async readText(key) {
      return (await readObject(key)).toString('utf8');
    },
    async objectExists(key) {
      return stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.cfg.bucketName, Key: key })).then(
        () => true,
        () => false,
      );
    },
    async keysUnder(prefix) {
      const keys: string[] = [];
      for await (const object of objects(prefix)) keys.push(object.Key!);
      return keys.sort();
    },
    bucketState: () => stateUnder(''),
  };
}
