// The runtime port in memory, for unit tests of the domain logic: each root filesystem is an
// array of buffered entries. It exports in the `entries` form with no size estimate, the
// other branch of the port from the built-in runtime's tar with a size, and buffers an
// import's entries before it registers anything, so a failing import leaves nothing.
import type { ArchiveEntry, TarHeader } from '../../lib/archive/entry.ts';
import { readTarEntries } from '../../lib/archive/tar-reader.ts';
import { isAddressOf } from '../../lib/container/address.ts';
import { configFor, newContainerId, type ContainerConfig, type ContainerSpec, type ContainerSummary, type ContainerType } from '../../lib/container/model.ts';
import { NotFound } from '../../lib/errors.ts';
import { quoteBounded } from '../../lib/quote.ts';
import { nameTaken } from '../../lib/runtimes/registry.ts';
import type { Container, ContainerRuntime, ImageSummary, RootfsExport } from '../../lib/runtimes/runtime.ts';

interface BufferedEntry {
  header: TarHeader;
  body: Buffer;
}

interface StoredContainer {
  summary: ContainerSummary;
  config: ContainerConfig;
  rootfs: BufferedEntry[];
}

async function buffered(entries: AsyncIterable<ArchiveEntry>): Promise<BufferedEntry[]> {
  const out: BufferedEntry[] = [];
  for await (const entry of entries) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    out.push({ header: { ...entry.header }, body: Buffer.concat(chunks) });
  }
  return out;
}

async function* replayed(rootfs: readonly BufferedEntry[], signal?: AbortSignal): AsyncGenerator<ArchiveEntry> {
  for (const { header, body } of rootfs) {
    signal?.throwIfAborted();
    yield { header: { ...header }, body: (async function* () { if (body.length > 0) yield Buffer.from(body); })() };
  }
}

export class MemoryRuntime implements ContainerRuntime {
  private readonly containers: StoredContainer[] = [];
  private readonly imageRootfs = new Map<string, BufferedEntry[]>();

  constructor(
    readonly types: readonly ContainerType[] = ['docker', 'lxc'],
    /** The architecture containers created from an image are given. */
    private readonly arch = 'amd64',
  ) {}

  async addImage(name: string, tag: string, rootfs: AsyncIterable<ArchiveEntry>): Promise<void> {
    this.imageRootfs.set(`${name}:${tag}`, await buffered(rootfs));
  }

  async list(): Promise<ContainerSummary[]> {
    return this.containers.map((c) => ({ ...c.summary }));
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    const stored = this.stored(type, id);
    if (!stored) return undefined;
    return {
      summary: { ...stored.summary },
      config: structuredClone(stored.config),
      exportRootfs: async (signal?: AbortSignal): Promise<RootfsExport> => ({ format: 'entries', entries: replayed(stored.rootfs, signal) }),
    };
  }

  async isNameTaken(name: string): Promise<boolean> {
    return this.containers.some((c) => c.summary.name === name);
  }

  async images(): Promise<ImageSummary[]> {
    return [...this.imageRootfs.keys()].map((key) => {
      const [name = '', tag = ''] = key.split(':');
      return { name, tag };
    });
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    const rootfs = this.imageRootfs.get(`${spec.image}:${spec.tag}`);
    if (!rootfs) throw new NotFound(`Image ${quoteBounded(`${spec.image}:${spec.tag}`)} not found`);
    return this.register(spec, configFor(spec, this.arch), rootfs);
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const stored = this.stored(type, id);
    if (!stored) throw new NotFound(`Container ${quoteBounded(id)} not found`);
    this.containers.splice(this.containers.indexOf(stored), 1);
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>): Promise<ContainerSummary> {
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    // Everything is read before anything is registered: an archive that throws leaves nothing.
    const rootfs = await buffered(readTarEntries(tar, true));
    return this.register(spec, structuredClone(config), rootfs);
  }

  private stored(type: ContainerType, id: string): StoredContainer | undefined {
    if (!this.types.includes(type)) return undefined;
    const addressed = this.containers.filter((c) => c.summary.type === type && isAddressOf(c.summary, id));
    // An id or a name names one container; a prefix that two ids share names none.
    return addressed.find((c) => c.summary.id === id || c.summary.name === id) ?? (addressed.length === 1 ? addressed[0] : undefined);
  }

  private register(spec: ContainerSpec, config: ContainerConfig, rootfs: BufferedEntry[]): ContainerSummary {
    if (this.containers.some((c) => c.summary.name === spec.name)) throw nameTaken(spec.name);
    // The API's id rule: an LXC container's id is its name, a Docker one's 64 hex digits.
    const id = newContainerId(spec);
    const summary: ContainerSummary = { id, name: spec.name, image: `${spec.image}:${spec.tag}`, state: 'stopped', type: spec.type };
    this.containers.push({ summary, config, rootfs });
    return { ...summary };
  }
}
