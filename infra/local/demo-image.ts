// The image every fresh stack offers (`demo`, tag `latest`), so that the spec's examples
// work from the first start: a small, deterministic root filesystem.
import type { BuiltinRuntime } from '../../lib/runtimes/builtin.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';

export const DEMO_IMAGE = { name: 'demo', tag: 'latest' } as const;

export async function provisionDemoImage(runtime: BuiltinRuntime): Promise<void> {
  await runtime.putImage(DEMO_IMAGE.name, DEMO_IMAGE.tag, demoRootfs());
}
