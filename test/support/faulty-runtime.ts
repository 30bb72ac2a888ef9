// A runtime that delegates to another and injects the faults a slow or broken engine shows:
// an export whose stream stalls before its end until released, or ends in the middle. Tests
// hand it to the worker through the runtime port, so no test depends on how an adapter stores
// a root filesystem.
import { Readable } from 'node:stream';
import type { Container, ContainerRuntime, RootfsExport } from '../../lib/runtimes/runtime.ts';

export interface Stall {
  /** Resolves once every byte but the end was read. */
  reached: Promise<void>;
  release(): void;
}

export interface FaultyRuntime {
  runtime: ContainerRuntime;
  /** The next export of the container stalls before its end. */
  stallEnd(containerId: string): Stall;
  /** Every export of the container stops halfway through its bytes, as a lost connection does. */
  truncate(containerId: string): void;
}

type Fault = (tar: AsyncIterable<Buffer>, estimatedBytes: number | undefined) => AsyncIterable<Buffer>;

export function faultyRuntime(inner: ContainerRuntime): FaultyRuntime {
  const once = new Map<string, Fault>();
  const always = new Map<string, Fault>();
  const withFaults = (container: Container): Container => ({
    summary: container.summary,
    config: container.config,
    exportRootfs: async (signal): Promise<RootfsExport> => {
      const rootfs = await container.exportRootfs(signal);
      const id = container.summary.id;
      const fault = once.get(id) ?? always.get(id);
      once.delete(id);
      if (!fault || rootfs.format !== 'tar') return rootfs;
      return { ...rootfs, tar: Readable.from(fault(rootfs.tar, await rootfs.estimatedBytes)) };
    },
  });
  // Every other method is the inner runtime's own, called on it.
  const runtime: ContainerRuntime = Object.assign(Object.create(inner) as ContainerRuntime, {
    find: async (...args: Parameters<ContainerRuntime['find']>) => {
      const container = await inner.find(...args);
      return container && withFaults(container);
    },
  });
  return {
    runtime,
    stallEnd(containerId) {
      let release!: () => void;
      let reached!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const stall: Stall = { reached: new Promise<void>((resolve) => (reached = resolve)), release };
      once.set(containerId, async function* (tar) {
        for await (const chunk of tar) yield chunk;
        reached();
        await released;
      });
      return stall;
    },
    truncate(containerId) {
      always.set(containerId, async function* (tar, estimatedBytes) {
        let left = Math.floor((estimatedBytes ?? 0) / 2) + 100;
        for await (const chunk of tar) {
          if (chunk.length >= left) {
            yield chunk.subarray(0, left);
            return;
          }
          left -= chunk.length;
          yield chunk;
        }
      });
    },
  };
}
