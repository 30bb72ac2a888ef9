// The image every fresh stack offers (`demo`, tag `latest`), so that the spec's examples
// work from the first start: a small, deterministic root filesystem.
import type { AwsClients } from '../../lib/aws/clients.ts';
import type { Config } from '../../lib/config.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { createBuiltinRuntime } from '../../lib/runtimes/index.ts';

export const DEMO_IMAGE = { name: 'demo', tag: 'latest' } as const;

export async function provisionDemoImage(cfg: Config, aws: AwsClients): Promise<void> {
  await createBuiltinRuntime(cfg, aws).putImage(DEMO_IMAGE.name, DEMO_IMAGE.tag, demoRootfs());
}
