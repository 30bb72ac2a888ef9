// The LXC runtime against the runtime contract, on a real LXC_PATH: a temporary directory of
// container directories, written and read on the disk as LXC's tools would (tests run as root,
// so owners and modes are real).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LxcRuntime } from '../../lib/runtimes/lxc.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';

const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));
const runtime = new LxcRuntime({ lxcPath, cgroup: 2 });

describeContainerRuntime('LXC', async () => ({
  runtime,
  addImage: async (name, tag, rootfs) => {
    await runtime.putImage(name, tag, rootfs);
  },
  // Staging directories, and any directory that is not a container (a half-renamed one would be).
  leftovers: async () => readdirSync(lxcPath).sort(),
}));
