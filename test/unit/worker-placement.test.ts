// Which worker runs a task of which container type (lib/worker/placement.ts, lib/worker/stream.ts),
// on in-memory services: a worker leaves a record of a type it does not run before it claims
// anything, so the task stays waiting for the worker that runs it. That a host worker in a
// process of its own takes such a task from the real stream is tested end to end in
// test/e2e/host-worker.test.ts.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import type { ContainerType } from '../../lib/container-type.ts';
import { setLogLevel } from '../../lib/log.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import { createExportTask } from '../../lib/tasks/export-request.ts';
import type { TaskRecord } from '../../lib/tasks/model.ts';
import { typesRunBy, type WorkerRole } from '../../lib/worker/placement.ts';
import { handleTaskStream, newWaitingTaskOf } from '../../lib/worker/stream.ts';
import { MemoryRuntime } from '../support/memory-runtime.ts';
import { MemoryShareStorage } from '../support/memory-share-storage.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';
import { insertRecordOf } from '../support/stream-records.ts';

setLogLevel(loadConfig().logLevel);

/** Services whose configuration places `docker` on container hosts, with one container of each type. */
async function placedServices() {
  const runtime = new MemoryRuntime();
  await runtime.addImage('demo', 'latest', (async function* () {})());
  const spec = { image: 'demo', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} } as const;
  const containers = {
    lxc: await runtime.create({ ...spec, type: 'lxc', name: 'onstack' }),
    docker: await runtime.create({ ...spec, type: 'docker', name: 'onhost' }),
  };
  const tasks = new MemoryTaskStore();
  const services = { config: loadConfig({ STEVEDORE_HOST_TYPES: 'docker' }), storage: new MemoryShareStorage(), tasks, runtimes: new RuntimeRegistry([runtime]) };
  const exportOf = (type: ContainerType, name: string) => createExportTask(services, type, containers[type].id, { path: `test/${name}.tar` });
  return { services, tasks, exportOf };
}

async function deliver(services: Awaited<ReturnType<typeof placedServices>>['services'], role: WorkerRole, tasks: TaskRecord[]) {
  return handleTaskStream(services, { Records: tasks.map((task, i) => insertRecordOf(task, i + 1)) }, { role });
}

describe('which worker runs a task', () => {
  it('has the host worker run only the host types, and every other worker the rest', () => {
    expect(typesRunBy('host', ['lxc'])).toEqual(['lxc']);
    expect(typesRunBy('stack', ['lxc'])).toEqual(['docker']);
    expect(typesRunBy('stack', [])).toEqual(['docker', 'lxc']);
    expect(typesRunBy('host', [])).toEqual([]);
    expect(typesRunBy('stack', ['docker', 'lxc'])).toEqual([]);
  });

  it('leaves the export of a host type waiting when the stack worker receives it, and runs the export of its own type', async () => {
    const { services, tasks, exportOf } = await placedServices();
    const hosted = await exportOf('docker', 'hosted');
    const own = await exportOf('lxc', 'own');

    const response = await deliver(services, 'stack', [hosted, own]);

    expect(response.batchItemFailures).toEqual([]);
    expect(await tasks.get('export', hosted.id)).toMatchObject({ state: 'waiting' });
    expect(await tasks.get('export', hosted.id)).not.toHaveProperty('attempts');
    expect(await tasks.get('export', own.id)).toMatchObject({ state: 'completed', result: 0, attempts: 1 });
    expect(tasks.reservationsHeld()).toEqual(['export-path:/test/hosted.tar']);
  });

  it('leaves the export of a stack type waiting when the host worker receives it, and runs the export of a host type', async () => {
    const { services, tasks, exportOf } = await placedServices();
    const hosted = await exportOf('docker', 'hosted');
    const own = await exportOf('lxc', 'own');

    const response = await deliver(services, 'host', [hosted, own]);

    expect(response.batchItemFailures).toEqual([]);
    expect(await tasks.get('export', hosted.id)).toMatchObject({ state: 'completed', result: 0, attempts: 1 });
    expect(await tasks.get('export', own.id)).toMatchObject({ state: 'waiting' });
    expect(await tasks.get('export', own.id)).not.toHaveProperty('attempts');
  });

  it('runs every type in the stack worker when no type is placed on container hosts', async () => {
    const { services, tasks, exportOf } = await placedServices();
    const unplaced = { ...services, config: loadConfig({}) };
    const docker = await exportOf('docker', 'docker');
    const lxc = await exportOf('lxc', 'lxc');

    await deliver(unplaced, 'stack', [docker, lxc]);

    expect((await tasks.list('export')).map((t) => t.state)).toEqual(['completed', 'completed']);
  });

  it('filters stream records by the task type, as the poller and the event source filter do', async () => {
    const { exportOf } = await placedServices();
    const docker = insertRecordOf(await exportOf('docker', 'd'), 1);
    const lxc = insertRecordOf(await exportOf('lxc', 'l'), 2);
    const hostFilter = newWaitingTaskOf(['docker']);
    expect([hostFilter(docker), hostFilter(lxc)]).toEqual([true, false]);
    expect(hostFilter({ ...docker, eventName: 'MODIFY' })).toBe(false);
    expect(newWaitingTaskOf([])(docker)).toBe(false);
  });
});
