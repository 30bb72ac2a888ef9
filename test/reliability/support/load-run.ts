// The load case: many exports, then as many imports of what they wrote, all submitted at once
// through the HTTP API and waited for. What holds afterwards: every task completed, ids are
// unique, every archive reads as a tar whose rootfs equals its container's files, and no task
// of the stack is left waiting or running. Nothing here uses vitest, so the soak runs it too.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../../lib/aws/clients.ts';
import { demoRootfs } from '../../../lib/runtimes/demo-rootfs.ts';
import type { TestStack } from '../../support/stack-start.ts';
import { snapshotEntries, snapshotTar, under, type EntrySnapshot } from '../../support/tar-snapshot.ts';

export interface LoadSource {
  type: 'lxc' | 'docker';
  id: string;
  /** The container's files as an archive's rootfs entries must hold them. */
  files(): Promise<EntrySnapshot[]>;
}

export interface LoadOutcome {
  exports: number;
  imports: number;
  exportSeconds: number;
  importSeconds: number;
  problems: string[];
}

interface Task {
  id: number;
  state: string;
  error?: string;
}

/** A built-in container of `type` made from the demo image through the API (the stack provisioned the image). */
export async function builtinLoadSource(stack: TestStack, type: LoadSource['type']): Promise<LoadSource> {
  const created = await api(stack.url, 'POST', '/api/v1/container', { type, name: `source-${type}`, image: 'demo', tag: 'latest' });
  if (created.status !== 200) throw new Error(`the load's ${type} container was not made: ${created.status} ${JSON.stringify(created.body)}`);
  return { type, id: created.body.id, files: () => snapshotEntries(demoRootfs()) };
}

const byName = (entries: EntrySnapshot[]) => [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * The entries with every hard link as the file it shares: which of two linked names a tar
 * writes first is the writer's walk order, not the container's content.
 */
function comparable(entries: EntrySnapshot[]): EntrySnapshot[] {
  const files = new Map<string, EntrySnapshot>();
  return byName(
    entries.map((entry) => {
      if (entry.type !== 'link') {
        if (entry.type === 'file') files.set(entry.name, entry);
        return entry;
      }
      const target = files.get(entry.linkname.replace(/^\.\//, ''));
      return target ? { ...target, name: entry.name } : entry;
    }),
  );
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? '' : JSON.parse(text) };
}

async function waitForAll(base: string, kind: 'export' | 'import', ids: (number | undefined)[], timeoutMs: number): Promise<Map<number, Task>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = new Map(((await api(base, 'GET', `/api/v1/${kind}/`)).body as Task[]).map((t) => [t.id, t]));
    const finished = ids.every((id) => id === undefined || ['completed', 'aborted'].includes(tasks.get(id)?.state ?? ''));
    if (finished || Date.now() > deadline) return tasks;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LoadOptions {
  count: number;
  folder: string;
  timeoutMs: number;
  /** Starts the archives' and the imported containers' names, so that runs on one stack do not meet. */
  prefix?: string;
}

/** `count` exports spread over the sources, then an import of each archive, under share folder `folder`. */
export async function runLoad(base: string, aws: AwsClients, bucketName: string, sources: LoadSource[], options: LoadOptions): Promise<LoadOutcome> {
  const prefix = options.prefix ?? 'load-';
  const problems: string[] = [];
  // Every source is exported both plain and compressed.
  const plan = Array.from({ length: options.count }, (_, i) => ({ source: sources[i % sources.length]!, path: `${options.folder}/${prefix}${i}.${Math.floor(i / sources.length) % 2 ? 'tgz' : 'tar'}`, name: `${prefix}${i}` }));

  let started = performance.now();
  const exports = await Promise.all(plan.map(({ source, path }) => api(base, 'POST', `/api/v1/container/${source.type}/${source.id}/export`, { path })));
  const exportIds = exports.map((answer, i) => {
    if (answer.status !== 200) problems.push(`export ${plan[i]!.path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.id as number;
  });
  const exported = await waitForAll(base, 'export', exportIds, options.timeoutMs);
  const exportSeconds = (performance.now() - started) / 1000;
  if (new Set(exportIds).size !== exportIds.length) problems.push(`export ids repeat: ${exportIds.join(' ')}`);
  exportIds.forEach((id, i) => {
    const task = exported.get(id);
    if (task?.state !== 'completed') problems.push(`export ${id} of ${plan[i]!.path} ended ${task?.state}: ${task?.error ?? ''}`);
  });

  const expected = new Map<LoadSource, EntrySnapshot[]>();
  for (const source of sources) expected.set(source, comparable(await source.files()));
  for (const { source, path } of plan) {
    try {
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: bucketName, Key: path }));
      const entries = await snapshotTar(Buffer.from(await object.Body!.transformToByteArray()));
      if (entries[0]?.name !== 'config.json') problems.push(`${path} does not start with config.json`);
      const rootfs = comparable(under(entries, 'rootfs'));
      if (JSON.stringify(rootfs) !== JSON.stringify(expected.get(source))) problems.push(`${path}: its rootfs differs from ${source.type} ${source.id}'s files`);
    } catch (error) {
      problems.push(`${path} is no readable archive: ${(error as Error).message}`);
    }
  }

  started = performance.now();
  const imports = await Promise.all(plan.map(({ source, path, name }) => {
    const slash = path.lastIndexOf('/');
    return api(base, 'POST', `/api/v1/import/${path.slice(0, slash)}/?name=${encodeURIComponent(path.slice(slash + 1))}`, { type: source.type, name });
  }));
  const importIds = imports.map((answer, i) => {
    if (answer.status !== 200) problems.push(`import of ${plan[i]!.path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.id as number;
  });
  const imported = await waitForAll(base, 'import', importIds, options.timeoutMs);
  const importSeconds = (performance.now() - started) / 1000;
  if (new Set(importIds).size !== importIds.length) problems.push(`import ids repeat: ${importIds.join(' ')}`);
  importIds.forEach((id, i) => {
    const task = imported.get(id);
    if (task?.state !== 'completed') problems.push(`import ${id} of ${plan[i]!.path} ended ${task?.state}: ${task?.error ?? ''}`);
  });
  for (const { source, name } of plan) {
    const found = await api(base, 'GET', `/api/v1/container/${source.type}/${name}`);
    if (found.status !== 200) problems.push(`the imported ${source.type} container ${name} is not there: ${found.status}`);
  }

  for (const kind of ['export', 'import'] as const) {
    const unfinished = ((await api(base, 'GET', `/api/v1/${kind}/`)).body as Task[]).filter((t) => t.state !== 'completed' && t.state !== 'aborted');
    if (unfinished.length > 0) problems.push(`${kind} tasks left unfinished: ${JSON.stringify(unfinished).slice(0, 500)}`);
  }
  return { exports: exportIds.length, imports: importIds.length, exportSeconds, importSeconds, problems };
}
