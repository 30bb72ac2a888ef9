// What a restart does with the tasks of a worker that was killed (lib/worker/abandon.ts), as
// `npm start` runs it for its previous run's tasks: what their imports left in a runtime goes
// first (here a real LXC_PATH on disk, the runtime whose leftovers outlive no engine), then the
// tasks end aborted. The container of an import that completed under the same dead worker stays,
// and so do a live worker's task and container.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { setLogLevel } from '../../lib/log.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { LxcRuntime } from '../../lib/runtimes/lxc.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import type { TaskKind } from '../../lib/tasks/model.ts';
import { abandonTasksOfDeadWorker, runningTasksOfHost } from '../../lib/worker/abandon.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

setLogLevel(loadConfig().logLevel);
const lxcPath = mkdtempSync(join(tmpdir(), 'sd-lxc-restart-'));
afterAll(() => rmSync(lxcPath, { recursive: true, force: true }));

describe('a restart after a worker was killed', () => {
  it('removes the container of an import it aborts before aborting it, and keeps a completed import\'s and a live worker\'s', async () => {
    // Prepare: the dead run `local-dead` completed one import and was killed after the rename of
    // another (its task still running), beside an export of its own; `local-live` is importing.
    const tasks = new MemoryTaskStore();
    const runtimes = new RuntimeRegistry([new LxcRuntime({ lxcPath, cgroup: 2 })]);
    const task = async (kind: TaskKind, name: string, host: string) => {
      const id = await tasks.nextId(kind);
      await tasks.create({ kind, id, state: 'waiting', type: 'lxc', cid: name, cname: name, user: 'Anonymous', path: `/test/${name}.tar`, init: 0 });
      return (await tasks.claim(kind, id, `${host}:${randomUUID()}`))!;
    };
    const imported = async (name: string, host: string) => {
      const claimed = await task('import', name, host);
      const spec: ContainerSpec = { type: 'lxc', name, image: 'busybox', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} };
      await runtimes.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()), { claim: { task: claimed.id, owner: claimed.owner! } });
      return claimed;
    };
    const completed = await imported('completed', 'local-dead');
    await tasks.finish(completed, completed.owner, { state: 'completed', result: 0 });
    const unfinished = await imported('unfinished', 'local-dead');
    const exporting = await task('export', 'exporting', 'local-dead');
    const live = await imported('live', 'local-live');
    const stateWhenRemoved: string[] = [];
    const removeAbandonedImports = runtimes.removeAbandonedImports.bind(runtimes);
    runtimes.removeAbandonedImports = async (abandonedImports) => {
      stateWhenRemoved.push((await tasks.get('import', unfinished.id))!.state);
      return removeAbandonedImports(abandonedImports);
    };
    // Act
    const orphans = await runningTasksOfHost({ tasks }, 'local-dead');
    const abandoned = await abandonTasksOfDeadWorker({ tasks, runtimes }, orphans, (owner) => owner.startsWith('local-dead:'), 'was restarted');
    // Assess
    expect(abandoned.map((t) => `${t.kind} ${t.id}`).sort()).toEqual([`export ${exporting.id}`, `import ${unfinished.id}`]);
    expect(await tasks.get('import', unfinished.id)).toMatchObject({ state: 'aborted', error: 'stevedore was restarted while this import ran; start it again' });
    expect(stateWhenRemoved).toEqual(['running']);
    expect(readdirSync(lxcPath).sort()).toEqual(['completed', 'live']);
    expect(await tasks.get('import', completed.id)).toMatchObject({ state: 'completed' });
    expect(await tasks.get('import', live.id)).toMatchObject({ state: 'running' });
  });
});
