// The built-in runtime against the runtime contract, on DynamoDB Local and the S3 emulator.
import { INTERNAL_PREFIX } from '../../lib/runtimes/builtin.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const bucket = bucketHelpers(stack);

describeContainerRuntime('built-in', async () => ({
  runtime: stack.services.builtinRuntime,
  addImage: async (name, tag, rootfs) => {
    await stack.services.builtinRuntime.putImage(name, tag, rootfs);
  },
  leftovers: () => bucket.keysUnder(`${INTERNAL_PREFIX}containers/`),
}));
