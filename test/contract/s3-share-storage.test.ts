// The S3 share storage against the storage contract, on the S3 emulator.
import { describeShareStorage } from '../support/share-storage-contract.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();

describeShareStorage('S3', async () => stack.services.storage);
