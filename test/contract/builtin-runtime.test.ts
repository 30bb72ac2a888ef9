// The built-in runtime against the runtime contract, on DynamoDB Local and the S3 emulator.
import { randomUUID } from 'node:crypto';
import type { DynamoDocuments } from '../../lib/aws/dynamo-documents.ts';
import { describe, expect, it } from 'vitest';
import { s3Requests } from '../../lib/aws/s3-requests.ts';
import { s3Transfers } from '../../lib/aws/s3-transfers.ts';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { BuiltinRuntime, INTERNAL_PREFIX } from '../../lib/runtimes/builtin.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';
import { useTestStack } from '../support/stack.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

const stack = useTestStack();
const bucket = bucketHelpers(stack);
const objects = () => bucket.keysUnder(`${INTERNAL_PREFIX}containers/`);

describeContainerRuntime('built-in', async () => ({
  runtime: stack.services.builtinRuntime,
  addImage: async (name, tag, rootfs) => {
    await stack.services.builtinRuntime.putImage(name, tag, rootfs);
  },
  leftovers: objects,
  removesAbandonedImports: true,
}));

describe('the built-in runtime after a worker was killed between an import\'s upload and its record', () => {
  /** The runtime of a worker that stops for good at the container's record, as a SIGKILL there would leave it. */
  const stoppingAtTheRecord = () => {
    const { doc } = stack.aws;
    const frozen = Object.assign(Object.create(doc) as DynamoDocuments, { transactWrite: () => new Promise<void>(() => undefined) });
    return new BuiltinRuntime({ doc: frozen, s3: stack.aws.get(s3Requests), transfers: stack.aws.get(s3Transfers), table: stack.cfg.tableName, bucket: stack.cfg.bucketName, partSize: stack.cfg.uploadPartBytes, types: ['docker', 'lxc'] });
  };
  const specFor = (name: string): ContainerSpec => ({ type: 'docker', name, image: 'contract', tag: 'v1', autostart: false, network: {}, resource: {}, volume: {} });
  const untilObjects = async (count: number) => {
    for (let tries = 0; (await objects()).length < count; tries++) {
      if (tries > 200) throw new Error('the uploads never completed');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('removes the root filesystem object of a gone worker, which no record names, and keeps a live worker\'s', async () => {
    // Prepare
    const before = await objects();
    const gone = { task: 7, owner: `gone-${randomUUID()}:${randomUUID()}` };
    const live = { task: 8, owner: `live-${randomUUID()}:${randomUUID()}` };
    const worker = stoppingAtTheRecord();
    void worker.importRootfs(specFor(`orphan-${process.pid}`), configFor(specFor('orphan'), 'amd64'), tarBytes(demoRootfs()), { claim: gone });
    void worker.importRootfs(specFor(`pending-${process.pid}`), configFor(specFor('pending'), 'amd64'), tarBytes(demoRootfs()), { claim: live });
    await untilObjects(before.length + 2);
    const uploaded = (await objects()).filter((key) => !before.includes(key));
    // Act: the periodic pass, with no task being aborted: an object no record names is garbage once its worker is gone.
    const removed = await stack.services.builtinRuntime.removeAbandonedImports({ isGone: (owner) => owner.startsWith('gone-'), unfinished: new Set() });
    // Assess
    expect(removed).toEqual(['root filesystem object of import 7']);
    const left = (await objects()).filter((key) => !before.includes(key));
    expect(left).toHaveLength(1);
    expect(uploaded).toContain(left[0]);
    expect(await stack.services.builtinRuntime.isNameTaken(`orphan-${process.pid}`)).toBe(false);
  });
});
