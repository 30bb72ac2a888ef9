// An export whose write fails, on in-memory services: the task fails with the store's reason, and
// the runtime's export is let go although the archive was never read (an engine's export stream
// would otherwise stay open, paused, for as long as the worker runs).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { setLogLevel } from '../../lib/log.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import type { Container, ContainerRuntime } from '../../lib/runtimes/runtime.ts';
import type { SharePath } from '../../lib/share/paths.ts';
import type { AtomicWriteOptions } from '../../lib/share/share-storage.ts';
import { createExportTask } from '../../lib/tasks/export-request.ts';
import { handleTaskStream } from '../../lib/worker/stream.ts';
import { MemoryRuntime } from '../support/memory-runtime.ts';
import { MemoryShareStorage } from '../support/memory-share-storage.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';
import { insertRecordOf } from '../support/stream-records.ts';

setLogLevel(loadConfig().logLevel);

/** A store that refuses every write before reading a byte of it. */
class RefusingStorage extends MemoryShareStorage {
  override async writeAtomically(_path: SharePath, _body: AsyncIterable<Uint8Array>, _options: AtomicWriteOptions): Promise<void> {
    throw new Error('the store refused the write');
  }
}

describe('an export whose write fails before reading the archive', () => {
  for (const compress of [false, true]) {
    it(`fails with the store's reason and lets the runtime's export go (compress ${compress})`, async () => {
      // Prepare: a runtime that notes the signal each export is given
      const memory = new MemoryRuntime();
      await memory.addImage('demo', 'latest', (async function* () {})());
      const created = await memory.create({ image: 'demo', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {}, type: 'docker', name: 'refused' });
      const exportSignals: (AbortSignal | undefined)[] = [];
      const runtime: ContainerRuntime = Object.assign(Object.create(memory) as ContainerRuntime, {
        find: async (type: 'docker' | 'lxc', id: string): Promise<Container | undefined> => {
          const container = await memory.find(type, id);
          return container && { ...container, exportRootfs: (signal?: AbortSignal) => (exportSignals.push(signal), container.exportRootfs(signal)) };
        },
      });
      const tasks = new MemoryTaskStore();
      const services = { config: loadConfig(), storage: new RefusingStorage(), tasks, runtimes: new RuntimeRegistry([runtime]) };
      const task = await createExportTask(services, 'docker', created.id, { path: `test/refused-${compress}.${compress ? 'tgz' : 'tar'}` });

      // Act
      await handleTaskStream(services, { Records: [insertRecordOf(task, 1)] }, { role: 'stack' });

      // Assess
      expect(await tasks.get('export', task.id)).toMatchObject({ state: 'aborted', error: 'the store refused the write' });
      expect(exportSignals).toHaveLength(1);
      expect(exportSignals[0]?.aborted).toBe(true);
    });
  }
});
