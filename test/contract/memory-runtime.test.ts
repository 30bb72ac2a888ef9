// The in-memory runtime of the unit tests against the runtime contract: the unit tests may rely
// on it behaving as every real adapter does. It exports entries with no size estimate, the
// branch of the port the built-in runtime does not take.
import { MemoryRuntime } from '../support/memory-runtime.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';

describeContainerRuntime('in-memory', async () => {
  const runtime = new MemoryRuntime();
  return {
    runtime,
    addImage: (name, tag, rootfs) => runtime.addImage(name, tag, rootfs),
    // It keeps nothing outside its containers' records: a failed import could only leave a container.
    leftovers: async () => (await runtime.list()).map((c) => c.name),
  };
});
