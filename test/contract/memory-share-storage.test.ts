// The in-memory share storage the unit tests use, against the storage contract, so that what
// the unit tests learn from it holds for the S3 adapter too.
import { MemoryShareStorage } from '../support/memory-share-storage.ts';
import { describeShareStorage } from '../support/share-storage-contract.ts';

const storage = new MemoryShareStorage();

describeShareStorage('in-memory', async () => storage);
