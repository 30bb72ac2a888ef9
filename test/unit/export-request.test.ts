// The rules an export request is checked against before its task exists
// (lib/tasks/export-request.ts), on in-memory services. Each refusal a client sees through
// HTTP (names over 20 characters, compress contradicting the extension, a missing folder, a
// read-only share folder, an unknown container, a path that is a folder, a file without force,
// a second export to one path) is tested end to end in test/e2e/export.test.ts and
// test/e2e/export-worker.test.ts; here are the edges of those rules and what the task records.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { InUse, InvalidInput, NotFound } from '../../lib/errors.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import { createExportTask } from '../../lib/tasks/export-request.ts';
import { MemoryRuntime } from '../support/memory-runtime.ts';
import { MemoryShareStorage } from '../support/memory-share-storage.ts';
import { MemoryTaskStore } from '../support/memory-task-store.ts';

async function exportServices() {
  const runtime = new MemoryRuntime();
  await runtime.addImage('demo', 'latest', (async function* () {})());
  const container = await runtime.create({ type: 'docker', name: 'web', image: 'demo', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} });
  const services = {
    config: loadConfig({ STEVEDORE_SHARE_FOLDERS: 'test:rw,archive:ro' }),
    storage: new MemoryShareStorage(),
    tasks: new MemoryTaskStore(),
    runtimes: new RuntimeRegistry([runtime]),
  };
  return { ...services, container, exportTo: (path: string, extra: Record<string, unknown> = {}) => createExportTask(services, 'docker', container.id, { path, ...extra }) };
}

describe('an export request', () => {
  it('takes a file name of 20 letters, digits, - and _, compressed when its extension is .tgz unless told', async () => {
    const { exportTo } = await exportServices();
    expect(await exportTo('test/Abc-def_0123456789xy.tgz')).toMatchObject({ path: '/test/Abc-def_0123456789xy.tgz', compress: true, force: false });
    expect(await exportTo('test/plain.tar')).toMatchObject({ compress: false });
  });

  it('refuses an extension in capitals and a share folder with no file name', async () => {
    const { exportTo } = await exportServices();
    for (const path of ['test/c.TGZ', 'test']) {
      const refused = exportTo(path);
      await expect(refused).rejects.toBeInstanceOf(InvalidInput);
      await expect(refused).rejects.toThrow(`Invalid export path "${path}": the file name must be 1-20 characters of a-z A-Z 0-9 - _ with the extension .tar or .tgz`);
    }
  });

  it('answers an unknown container as not found before it looks at the share folder', async () => {
    const { config, storage, tasks, runtimes } = await exportServices();
    const refused = createExportTask({ config, storage, tasks, runtimes }, 'docker', 'nobody', { path: 'archive/c.tgz' });
    await expect(refused).rejects.toBeInstanceOf(NotFound);
    await expect(refused).rejects.toThrow('Container nobody not found');
    expect(await tasks.list('export')).toEqual([]);
  });

  it('refuses a second unfinished export to one path however the path is written, and takes another path', async () => {
    const { exportTo, tasks } = await exportServices();
    await exportTo('/test/same.tgz');
    const refused = exportTo('test/same.tgz', { force: true });
    await expect(refused).rejects.toBeInstanceOf(InUse);
    await expect(refused).rejects.toThrow('Another export to /test/same.tgz has not finished yet');
    await exportTo('test/other.tgz');
    expect((await tasks.list('export')).map((t) => t.path)).toEqual(['/test/other.tgz', '/test/same.tgz']);
  });

  it('records the checked path segments, the path and container it uses, and reserves the path', async () => {
    const { exportTo, tasks, storage, config, container } = await exportServices();
    await storage.createDirectory({ folder: config.shareFolders[0]!, segments: ['test', 'sub'], display: 'test/sub' });
    const task = await exportTo('test/sub/a.tar', { force: true });
    expect(task).toMatchObject({
      kind: 'export',
      state: 'waiting',
      type: 'docker',
      cid: container.id,
      cname: 'web',
      segments: ['test', 'sub', 'a.tar'],
      force: true,
      uses: ['path:/test/sub/a.tar', `container:docker/${container.id}`],
    });
    expect(await tasks.get('export', task.id)).toEqual({ ...task, reservation: 'export-path:/test/sub/a.tar' });
    expect(tasks.reservationsHeld()).toEqual(['export-path:/test/sub/a.tar']);
    expect(tasks.usesHeld()).toEqual([`container:docker/${container.id}`, 'path:/test/sub/a.tar']);
  });
});
