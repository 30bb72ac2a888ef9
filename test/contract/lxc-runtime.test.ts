// The LXC runtime against the runtime contract, on a real LXC_PATH: a temporary directory of
// container directories, written and read on the disk as LXC's tools would (tests run as root,
// so owners and modes are real).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
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

describe('the LXC runtime after a crash', () => {
  it('removes the staging directories of processes that no longer run, and keeps those of live ones', async () => {
    const path = mkdtempSync(join(tmpdir(), 'sd-lxc-crash-'));
    try {
      // A pid above the kernel's pid_max cannot be alive.
      mkdirSync(join(path, '.stevedore-staging-4194305-half-made-x1y2z3', 'rootfs'), { recursive: true });
      mkdirSync(join(path, `.stevedore-staging-${process.pid}-being-made-a1b2c3`));
      const fresh = new LxcRuntime({ lxcPath: path, cgroup: 2 });
      await fresh.putImage('crash', 'v1', demoRootfs());
      await fresh.create({ type: 'lxc', name: 'after-crash', image: 'crash', tag: 'v1', autostart: false, network: {}, resource: {}, volume: {} });
      expect(readdirSync(path).sort()).toEqual([`.stevedore-images`, `.stevedore-staging-${process.pid}-being-made-a1b2c3`, 'after-crash']);
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
