// The contract every container runtime adapter passes: what export and import rely on,
// through the runtime port alone. An adapter's test file calls describeContainerRuntime with a
// factory of a fresh runtime and the hooks only the adapter can provide.
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../lib/archive/entry.ts';
import { configFor, type ContainerConfig, type ContainerSpec, type ContainerType } from '../../lib/container/model.ts';
import { MIN_ID_PREFIX } from '../../lib/container/address.ts';
import { NameTaken, NotFound } from '../../lib/errors.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import { tarBytes } from '../../lib/archive/tar-writer.ts';
import { countedRootfs } from '../../lib/runtimes/counted-rootfs.ts';
import type { ContainerRuntime, ImportClaim } from '../../lib/runtimes/runtime.ts';
import { snapshotEntries, type EntrySnapshot } from './tar-snapshot.ts';

export interface RuntimeUnderTest {
  runtime: ContainerRuntime;
  /** Makes an image the runtime can create containers from, with this root filesystem. */
  addImage(name: string, tag: string, rootfs: AsyncIterable<ArchiveEntry>): Promise<void>;
  /** What the adapter stores outside its containers' records (objects, directories): must not grow on a failed import. */
  leftovers(): Promise<string[]>;
  /**
   * Entries the runtime itself adds to every container's root filesystem (an engine's
   * mount points and `/etc/hosts`); an export may hold these besides the image's own.
   */
  addedByRuntime?: (name: string) => boolean;
  /**
   * The adapter removes what imports of killed workers left (removeAbandonedImports): the
   * contract then holds it to keeping everything else.
   */
  removesAbandonedImports?: boolean;
}

const IMAGE = { name: 'contract', tag: 'v1' };

/** The snapshot of a root filesystem as export must give it back: names without `./` or a trailing slash. */
/** The image's root filesystem as an export must give it back, but for what the runtime owns. */
const expectedRootfs = async (addedByRuntime?: (name: string) => boolean) => byName((await snapshotEntries(demoRootfs())).filter((e) => !addedByRuntime?.(e.name)));

const byName = (entries: EntrySnapshot[]) => [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

async function exportedSnapshot({ runtime, addedByRuntime }: RuntimeUnderTest, type: ContainerType, id: string): Promise<EntrySnapshot[]> {
  const container = await runtime.find(type, id);
  expect(container, `${type}/${id} is found`).toBeDefined();
  const rootfs = await container!.exportRootfs();
  let bytesRead = 0;
  const source = countedRootfs(rootfs, (total) => (bytesRead = total));
  const snapshot = await snapshotEntries(source.format === 'tar' ? readTarEntries(source.tar) : source.entries);
  expect(bytesRead).toBeGreaterThan(0);
  const estimate = await rootfs.estimatedBytes;
  if (estimate !== undefined) expect(estimate).toBeGreaterThan(0);
  return byName(snapshot.filter((entry) => !addedByRuntime?.(entry.name)));
}

async function* failingAfter(entries: AsyncIterable<ArchiveEntry>, count: number): AsyncGenerator<ArchiveEntry> {
  let taken = 0;
  for await (const entry of entries) {
    if (taken++ === count) throw new Error('the archive is corrupt');
    yield entry;
  }
}

export function describeContainerRuntime(adapter: string, factory: () => Promise<RuntimeUnderTest>): void {
  describe(`the ${adapter} runtime meets the runtime contract`, () => {
    let unique = 0;
    const nameFor = (what: string) => `${what}-${process.pid}-${++unique}`;
    const specFor = (runtime: ContainerRuntime, what: string): ContainerSpec => ({
      type: runtime.types[0]!,
      name: nameFor(what),
      image: IMAGE.name,
      tag: IMAGE.tag,
      autostart: false,
      network: { hostname: 'contract' },
      resource: {},
      volume: {},
    });
    const ready = async () => {
      const underTest = await factory();
      await underTest.addImage(IMAGE.name, IMAGE.tag, demoRootfs());
      return underTest;
    };

    it('offers the images it was given', async () => {
      const { runtime } = await ready();
      expect(await runtime.images()).toContainEqual(IMAGE);
    });

    it('creates, lists, finds and removes a container', async () => {
      const { runtime } = await ready();
      const spec = specFor(runtime, 'lifecycle');
      const created = await runtime.create(spec);
      expect(created).toMatchObject({ name: spec.name, type: spec.type, image: `${IMAGE.name}:${IMAGE.tag}`, state: 'stopped' });
      expect(await runtime.list()).toContainEqual(created);
      const found = await runtime.find(spec.type, created.id);
      expect(found?.summary).toEqual(created);
      expect(found?.config).toMatchObject({ ...configFor(spec, found!.config.arch) });
      expect(await runtime.isNameTaken(spec.name)).toBe(true);

      await runtime.remove(spec.type, created.id);
      expect(await runtime.find(spec.type, created.id)).toBeUndefined();
      expect((await runtime.list()).map((c) => c.id)).not.toContain(created.id);
      expect(await runtime.isNameTaken(spec.name)).toBe(false);
      await expect(runtime.remove(spec.type, created.id)).rejects.toBeInstanceOf(NotFound);
    });

    it('finds and removes a container by every address its engine answers to, and by no other', async () => {
      const { runtime } = await ready();
      for (const type of runtime.types) {
        const created = await runtime.create({ ...specFor(runtime, 'addressed'), type });
        // LXC names a container by its name, which is its id; Docker by its id, its name or a 12-character id prefix.
        const addresses = type === 'docker' ? [created.id, created.name, created.id.slice(0, MIN_ID_PREFIX)] : [created.id];
        for (const address of addresses) expect((await runtime.find(type, address))?.summary, `${type} ${address}`).toEqual(created);
        const elsewhere = type === 'docker' ? [created.id.slice(0, MIN_ID_PREFIX - 1), `${created.id}0`] : [`${created.name}0`];
        for (const address of elsewhere) expect(await runtime.find(type, address), `${type} ${address}`).toBeUndefined();
        await runtime.remove(type, addresses.at(-1)!);
        expect(await runtime.find(type, created.id)).toBeUndefined();
      }
    });

    it('refuses an unknown image and a name in use, and creates nothing for either', async () => {
      const { runtime } = await ready();
      const spec = specFor(runtime, 'refused');
      await expect(runtime.create({ ...spec, image: 'no-such-image' })).rejects.toBeInstanceOf(NotFound);
      expect(await runtime.isNameTaken(spec.name)).toBe(false);
      await runtime.create(spec);
      const before = await runtime.list();
      await expect(runtime.create(spec)).rejects.toBeInstanceOf(NameTaken);
      expect(await runtime.list()).toEqual(before);
    });

    it('exports the root filesystem of its image with every kind of entry, modes and link targets as they are', async () => {
      const underTest = await ready();
      const { runtime } = underTest;
      const created = await runtime.create(specFor(runtime, 'exported'));
      const exported = await exportedSnapshot(underTest, created.type, created.id);
      expect(exported).toEqual(await expectedRootfs(underTest.addedByRuntime));
      // The fixture has them all: a failure above would already show, this names what matters.
      expect(new Set(exported.map((e) => e.type))).toEqual(new Set(['directory', 'file', 'symlink', 'link']));
      expect(exported.some((e) => (e.mode & 0o1000) !== 0)).toBe(true);
    });

    it('imports a root filesystem as a new container with the config it was given, and exports it back unchanged', async () => {
      const underTest = await ready();
      const { runtime } = underTest;
      const spec = specFor(runtime, 'imported');
      const config: ContainerConfig = { ...configFor(spec, 'arm64'), environment: ['FROM=contract'] };
      const imported = await runtime.importRootfs(spec, config, tarBytes(demoRootfs()));
      expect(imported).toMatchObject({ name: spec.name, type: spec.type, state: 'stopped' });
      expect((await runtime.find(spec.type, imported.id))?.config).toEqual(config);
      expect(await exportedSnapshot(underTest, spec.type, imported.id)).toEqual(await expectedRootfs(underTest.addedByRuntime));
    });

    it('leaves nothing behind when the root filesystem fails halfway through an import', async () => {
      const { runtime, leftovers } = await ready();
      const spec = specFor(runtime, 'failed');
      const before = { containers: await runtime.list(), stored: await leftovers() };
      await expect(runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(failingAfter(demoRootfs(), 20)))).rejects.toThrow('the archive is corrupt');
      expect(await runtime.isNameTaken(spec.name)).toBe(false);
      expect(await runtime.list()).toEqual(before.containers);
      expect(await leftovers()).toEqual(before.stored);
    });

    it('refuses to import under a name in use and leaves the container that has it as it was', async () => {
      const underTest = await ready();
      const { runtime } = underTest;
      const spec = specFor(runtime, 'kept');
      const existing = await runtime.create(spec);
      await expect(runtime.importRootfs(spec, configFor(spec, 'amd64'), tarBytes(demoRootfs()))).rejects.toBeInstanceOf(NameTaken);
      expect(await exportedSnapshot(underTest, spec.type, existing.id)).toEqual(await expectedRootfs(underTest.addedByRuntime));
    });

    it('after a worker was killed, removes the container of an import whose task it is aborting, and keeps completed imports\' containers and a live worker\'s', async (context) => {
      const underTest = await ready();
      const { runtime, leftovers } = underTest;
      if (!underTest.removesAbandonedImports) return context.skip();
      // Prepare: imports as three workers' tasks ran them. Their claims' owners are workers of
      // this machine: `gone-` ones were killed, the `live-` one still runs.
      const claims = { completed: claimOf('gone-a', 1), unfinished: claimOf('gone-b', 2), live: claimOf('live-c', 3) };
      const specs = { completed: specFor(runtime, 'completed'), unfinished: specFor(runtime, 'unfinished'), live: specFor(runtime, 'live') };
      const completed = await runtime.importRootfs(specs.completed, configFor(specs.completed, 'amd64'), tarBytes(demoRootfs()), { claim: claims.completed });
      const live = await runtime.importRootfs(specs.live, configFor(specs.live, 'amd64'), tarBytes(demoRootfs()), { claim: claims.live });
      const before = { containers: (await runtime.list()).map((c) => c.name).sort(), stored: await leftovers() };
      await runtime.importRootfs(specs.unfinished, configFor(specs.unfinished, 'amd64'), tarBytes(demoRootfs()), { claim: claims.unfinished });
      // Act: the tasks of gone-b and live-c still run (gone-a's completed); only gone-b's is being aborted.
      const removed = await runtime.removeAbandonedImports!({ isGone: (owner) => owner.startsWith('gone-'), unfinished: new Set([claims.unfinished.owner, claims.live.owner]) });
      // Assess
      expect(before.containers).toEqual(expect.arrayContaining([completed.name, live.name]));
      expect(removed.join('\n')).toContain(specs.unfinished.name);
      expect(await runtime.isNameTaken(specs.unfinished.name)).toBe(false);
      expect((await runtime.list()).map((c) => c.name).sort()).toEqual(before.containers);
      // Nothing of the removed import is left (no object, directory or image of it).
      expect(await leftovers()).toEqual(before.stored);
      expect(await exportedSnapshot(underTest, completed.type, completed.id)).toEqual(await expectedRootfs(underTest.addedByRuntime));
      expect(await exportedSnapshot(underTest, live.type, live.id)).toEqual(await expectedRootfs(underTest.addedByRuntime));
      // The task started again gets the name.
      const retried = await runtime.importRootfs(specs.unfinished, configFor(specs.unfinished, 'amd64'), tarBytes(demoRootfs()), { claim: claimOf('live-d', 4) });
      expect(retried.name).toBe(specs.unfinished.name);
    });
  });
}

/** A worker's claim as `<hostname>-<pid>-<uuid>:<uuid>`, under a recognisable owner prefix. */
const claimOf = (prefix: string, task: number): ImportClaim => ({ task, owner: `${prefix}-${task}-${crypto.randomUUID()}:${crypto.randomUUID()}` });
