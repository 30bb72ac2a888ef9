// The LXC runtime against the runtime contract, on a real LXC_PATH: a temporary directory of
// container directories, written and read on the disk as LXC's tools would (tests run as root,
// so owners and modes are real).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { LxcRuntime } from '../../lib/runtimes/lxc.ts';
import { describeContainerRuntime } from '../support/runtime-contract.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

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
  removesAbandonedImports: true,
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

  it('removes, when asked after a restart, the staging of a dead process and keeps that of an import a live worker is still writing', async () => {
    const path = mkdtempSync(join(tmpdir(), 'sd-lxc-staged-'));
    try {
      // Prepare: an import of this live process that stops halfway through its root filesystem
      // until released, and a staging directory left by a dead pid (above the kernel's pid_max).
      const dead = '.stevedore-staging-4194305-half-made-x1y2z3';
      const runtime = new LxcRuntime({ lxcPath: path, cgroup: 2 });
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let halfway = () => undefined as void;
      const reachedHalfway = new Promise<void>((resolve) => (halfway = resolve));
      async function* pausedHalfway(): AsyncGenerator<ArchiveEntry> {
        let taken = 0;
        for await (const entry of demoRootfs()) {
          if (taken++ === 10) {
            halfway();
            await released;
          }
          yield entry;
        }
      }
      const spec: ContainerSpec = { type: 'lxc', name: 'being-made', image: 'busybox', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
      const importing = runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(pausedHalfway()), { claim: { task: 1, owner: `live-${randomUUID()}:${randomUUID()}` } });
      await reachedHalfway;
      // Made after the runtime's own tidying on first use, as a worker killed meanwhile would leave it.
      mkdirSync(join(path, dead, 'rootfs'), { recursive: true });
      const staged = readdirSync(path).filter((name) => name.startsWith(`.stevedore-staging-${process.pid}-`));
      // Act
      const removed = await runtime.removeAbandonedImports({ isGone: (owner) => owner.startsWith('gone-'), unfinished: new Set() });
      // Assess
      expect(removed).toEqual([`staging directory ${dead}`]);
      expect(staged).toHaveLength(1);
      expect(readdirSync(path).sort()).toEqual([staged[0]]);
      release();
      expect(await importing).toMatchObject({ name: 'being-made' });
      expect(existsSync(join(path, 'being-made', 'rootfs'))).toBe(true);
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
