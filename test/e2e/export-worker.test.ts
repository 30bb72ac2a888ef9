// The worker's guarantees, driven with stream records built from the real table items (through
// its Lambda entry point for delivery, with a runtime that injects faults for the rest): one run
// per task whatever the deliveries, failures that leave no archive and no running task, one
// unfinished export per path.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as workerHandler } from '../../functions/worker/tasks.ts';
import { configFor } from '../../lib/container/model.ts';
import { handleTaskStream } from '../../lib/worker/stream.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';
import { call } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { incompressibleRootfs } from '../support/rootfs.ts';
import { useTestStack } from '../support/stack.ts';
import { storedTask as storedTaskOf, taskItem } from '../support/task-items.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';

const stack = useTestStack({}, { faults: true });
const { putObject, readObject, readText, objectExists } = bucketHelpers(stack);

/** The worker with this stack's services, whose runtime injects the faults a test sets up. */
const runWorker = (event: DynamoDBStreamEvent) => handleTaskStream(stack.services, event);
let sequence = 1000;

/** The stream record DynamoDB would deliver for the INSERT of this task. */
async function insertRecordOf(id: number): Promise<DynamoDBRecord> {
  const item = (await taskItem(stack, 'export', id))!;
  return {
    eventID: `event-${id}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: stack.cfg.region,
    dynamodb: { Keys: { pk: item.pk, sk: item.sk } as never, NewImage: item as never, SequenceNumber: String(sequence++), SizeBytes: 100, StreamViewType: 'NEW_IMAGE' },
  };
}

const storedTask = (id: number) => storedTaskOf(stack, 'export', id);

async function exportTo(path: string, extra: Record<string, unknown> = {}, container = 'wtest') {
  return call(stack.url, 'POST', `/api/v1/container/lxc/${container}/export`, { path, ...extra });
}


async function newContainer(name: string): Promise<void> {
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name, image: 'demo', tag: 'latest' })).status).toBe(200);
}

async function newFolder(path: string): Promise<void> {
  const cut = path.lastIndexOf('/');
  expect((await call(stack.url, 'POST', `/api/v1/sharefolder/${path.slice(0, cut)}`, { name: path.slice(cut + 1), is_dir: true })).status).toBe(200);
}

/**
 * Runs the sweep as if the task's lease were long over. A progress write still landing renews
 * the lease the sweep saw, and the sweep rightly leaves the task alone; it tries again.
 */
async function sweepUntilTaken(id: number): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const swept = await sweepStaleTasks(stack.services, Date.now() + 10 * stack.cfg.taskLeaseMs);
    if (swept.some((t) => t.id === id)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const listing = async (path: string) => (await call(stack.url, 'GET', `/api/v1/sharefolder/${path}`)).body as { name: string }[];

beforeAll(async () => {
  await provisionDemoImage(stack.services.builtinRuntime);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'wtest', image: 'demo', tag: 'latest' })).status).toBe(200);
  expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'broken', image: 'demo', tag: 'latest' })).status).toBe(200);
  stack.faults!.truncate('broken');
});

describe('stream delivery', () => {
  it('runs an export once when the same INSERT is delivered twice at the same time', async () => {
    // Prepare
    const created = await exportTo('test/twice.tgz');
    const record = await insertRecordOf(created.body.id);
    const event: DynamoDBStreamEvent = { Records: [record] };
    // Act
    const [first, second] = await Promise.all([workerHandler(event), workerHandler(event)]);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const task = await storedTask(created.body.id);
    expect(task.state).toBe('completed');
    expect(task.attempts).toBe(1);
    expect(await objectExists('test/twice.tgz')).toBe(true);
  });

  it('ignores a delivery that arrives after the task finished', async () => {
    // Prepare
    const created = await exportTo('test/late.tar');
    const record = await insertRecordOf(created.body.id);
    await workerHandler({ Records: [record] });
    const finished = await storedTask(created.body.id);
    // Act
    const again = await workerHandler({ Records: [record] });
    // Assess
    expect(again.batchItemFailures).toEqual([]);
    expect(await storedTask(created.body.id)).toEqual(finished);
  });

  it('acts only on INSERTs of waiting tasks', async () => {
    // Prepare
    const created = await exportTo('test/modify.tar');
    const record = { ...(await insertRecordOf(created.body.id)), eventName: 'MODIFY' as const };
    // Act
    const response = await workerHandler({ Records: [record] });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((await storedTask(created.body.id)).state).toBe('waiting');
  });
});

describe('failures', () => {
  it('aborts the task with a message and leaves no object when the root filesystem breaks mid-stream', async () => {
    // Prepare
    const created = await exportTo('test/broken.tgz', {}, 'broken');
    // Act
    await runWorker({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    const listed = (await call(stack.url, 'GET', '/api/v1/export/')).body.find((t: { id: number }) => t.id === created.body.id);
    expect(listed).toMatchObject({ state: 'aborted', result: 1 });
    expect(listed.error).toMatch(/truncated|unexpected end|premature/i);
    expect(listed).not.toHaveProperty('progress');
    expect(await objectExists('test/broken.tgz')).toBe(false);
  });

  it('keeps the file it was asked to replace when the new archive fails', async () => {
    // Prepare
    await putObject('test/kept.tar', 'previous archive');
    const created = await exportTo('test/kept.tar', { force: true }, 'broken');
    // Act
    await runWorker({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    expect((await storedTask(created.body.id)).state).toBe('aborted');
    expect(await readText('test/kept.tar')).toBe('previous archive');
  });

  it('aborts an export whose container was removed while it waited', async () => {
    // Prepare
    await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'gone', image: 'demo', tag: 'latest' });
    const created = await exportTo('test/gone.tar', {}, 'gone');
    // A removal that checked for tasks just before this one was submitted.
    await stack.services.runtimes.remove('lxc', 'gone');
    // Act
    await runWorker({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    const task = await storedTask(created.body.id);
    expect(task).toMatchObject({ state: 'aborted', result: 1, error: 'Container gone no longer exists' });
    expect(await objectExists('test/gone.tar')).toBe(false);
  });
});

describe('one unfinished export per path', () => {
  it('refuses the second of two concurrent exports to one path', async () => {
    // Act
    const responses = await Promise.all([exportTo('test/same.tgz', { force: true }), exportTo('test/same.tgz', { force: true })]);
    // Assess
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
    const refused = responses.find((r) => r.status === 400)!;
    expect(refused.body.error.message).toBe('Another export to /test/same.tgz has not finished yet');
  });

  it('frees the path once the export finished', async () => {
    // Prepare
    const first = await exportTo('test/free.tar');
    await runWorker({ Records: [await insertRecordOf(first.body.id)] });
    // Act
    const second = await exportTo('test/free.tar', { force: true });
    // Assess
    expect(second.status).toBe(200);
  });
});

describe('what the worker re-checks right before it writes', () => {
  it('aborts an export whose folder was deleted after the request, and the folder does not reappear', async () => {
    // Prepare
    await newFolder('test/vanish');
    const created = await exportTo('test/vanish/a.tgz');
    // A folder delete that checked for tasks just before this one was submitted.
    await stack.aws.s3.send(new DeleteObjectCommand({ Bucket: stack.cfg.bucketName, Key: 'test/vanish/' }));
    // Act
    await runWorker({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    expect(await storedTask(created.body.id)).toMatchObject({ state: 'aborted', result: 1, error: 'The folder test/vanish was deleted while the export waited; nothing was written' });
    expect(await objectExists('test/vanish/a.tgz')).toBe(false);
    expect((await listing('test')).map((e) => e.name)).not.toContain('vanish');
  });

  it('aborts a forced export whose path became a folder after the request, and writes no file under the folder\'s name', async () => {
    // Prepare
    const created = await exportTo('test/later.tgz', { force: true });
    await newFolder('test/later.tgz');
    // Act
    await runWorker({ Records: [await insertRecordOf(created.body.id)] });
    // Assess
    expect(await storedTask(created.body.id)).toMatchObject({ state: 'aborted', result: 1, error: '/test/later.tgz became a folder while the export waited; nothing was written' });
    expect(await objectExists('test/later.tgz')).toBe(false);
  });

  it('aborts an export whose container was removed while it ran, and writes nothing', async () => {
    // Prepare
    await newContainer('fading');
    const stall = stack.faults!.stallEnd('fading');
    const created = await exportTo('test/fading.tgz', {}, 'fading');
    const run = runWorker({ Records: [await insertRecordOf(created.body.id)] });
    await stall.reached;
    // A removal that checked for tasks just before this one was submitted.
    await stack.services.runtimes.remove('lxc', 'fading');
    // Act
    stall.release();
    await run;
    // Assess
    expect(await storedTask(created.body.id)).toMatchObject({ state: 'aborted', result: 1, error: 'Container fading was removed while the export ran; nothing was written' });
    expect(await objectExists('test/fading.tgz')).toBe(false);
  });
});

describe('deleting what an unfinished task uses', () => {
  it('refuses to delete the folder, the file being replaced or the container of a running export, which then completes', async () => {
    // Prepare
    await newContainer('busy');
    await newFolder('test/outer');
    await newFolder('test/outer/busy');
    await putObject('test/outer/busy/a.tgz', 'old archive');
    const stall = stack.faults!.stallEnd('busy');
    const created = await exportTo('test/outer/busy/a.tgz', { force: true }, 'busy');
    const run = runWorker({ Records: [await insertRecordOf(created.body.id)] });
    await stall.reached;
    const id = created.body.id;
    // Act
    const deletes = {
      folder: await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/outer/busy/'),
      parent: await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/outer/'),
      file: await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/outer/busy/a.tgz'),
      container: await call(stack.url, 'DELETE', '/api/v1/container/lxc/busy'),
    };
    stall.release();
    await run;
    // Assess
    expect(deletes.folder.body).toEqual({ error: { code: 400, message: `test/outer/busy is in use by unfinished export task ${id}; delete it once the task has finished` } });
    expect(deletes.parent.body).toEqual({ error: { code: 400, message: `test/outer is in use by unfinished export task ${id}; delete it once the task has finished` } });
    expect(deletes.file.body).toEqual({ error: { code: 400, message: `test/outer/busy/a.tgz is in use by unfinished export task ${id}; delete it once the task has finished` } });
    expect(deletes.container.body).toEqual({ error: { code: 400, message: `Container busy is in use by unfinished export task ${id}; remove it once the task has finished` } });
    expect((await storedTask(id)).state).toBe('completed');
    expect((await listing('test/outer/busy')).map((e) => e.name)).toEqual(['a.tgz']);
    expect((await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/outer/')).status).toBe(200);
    expect((await call(stack.url, 'DELETE', '/api/v1/container/lxc/busy')).status).toBe(200);
  });

  it('refuses to delete the archive of a waiting import or its folder, and to remove the container of a waiting export', async () => {
    // Prepare
    await newFolder('test/incoming');
    await putObject('test/incoming/src.tar', 'an archive');
    const imported = await call(stack.url, 'POST', '/api/v1/import/test/incoming/?name=src.tar', { type: 'lxc', name: 'incoming', image: 'x' });
    expect(imported.status).toBe(200);
    await newContainer('queued');
    const exported = await exportTo('test/queued.tar', {}, 'queued');
    // Act
    const file = await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/incoming/src.tar');
    const folder = await call(stack.url, 'DELETE', '/api/v1/sharefolder/test/incoming/');
    const container = await call(stack.url, 'DELETE', '/api/v1/container/lxc/queued');
    // Assess
    expect(file.body.error).toEqual({ code: 400, message: `test/incoming/src.tar is in use by unfinished import task ${imported.body.id}; delete it once the task has finished` });
    expect(folder.body.error.message).toBe(`test/incoming is in use by unfinished import task ${imported.body.id}; delete it once the task has finished`);
    expect(container.body.error.message).toBe(`Container queued is in use by unfinished export task ${exported.body.id}; remove it once the task has finished`);
    expect(await objectExists('test/incoming/src.tar')).toBe(true);
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/queued')).status).toBe(200);
  });
});

describe('a lease swept away while the upload ran', () => {
  const cases = [
    // The demo archive fits one part; 12 MiB of random bytes take three 5 MiB parts.
    { upload: 'one PutObject', container: 'sluggish', file: 'test/fenced.tgz', rootfsBytes: 0 },
    { upload: 'a multipart upload', container: 'hefty', file: 'test/fenced.tar', rootfsBytes: 12 * 1024 * 1024 },
  ];
  for (const { upload, container, file, rootfsBytes } of cases) {
    it(`makes the slow worker of ${upload} write nothing, so the newer export to the same path keeps its archive`, async () => {
      // Prepare
      if (rootfsBytes > 0) {
        const spec = { type: 'lxc', name: container, image: 'import', tag: 'latest', autostart: false, network: {}, resource: {}, volume: {} } as const;
        await stack.services.runtimes.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(incompressibleRootfs(1, rootfsBytes)));
      } else {
        await newContainer(container);
      }
      const stall = stack.faults!.stallEnd(container);
      const slow = await exportTo(file, { force: true }, container);
      const run = runWorker({ Records: [await insertRecordOf(slow.body.id)] });
      await stall.reached;
      // The worker looks dead to the sweep (its lease seen as long over) and the path is free again.
      expect(await sweepUntilTaken(slow.body.id)).toBe(true);
      const newer = await exportTo(file, { force: true });
      expect(newer.status).toBe(200);
      await runWorker({ Records: [await insertRecordOf(newer.body.id)] });
      expect((await storedTask(newer.body.id)).state).toBe('completed');
      const newerBytes = await readObject(file);
      // Act
      stall.release();
      await run;
      // Assess
      expect((await readObject(file)).equals(newerBytes)).toBe(true);
      expect(await storedTask(slow.body.id)).toMatchObject({ state: 'aborted', result: 1 });
    });
  }
});
