// The Docker Engine runtime: `docker` containers are the engine's own. Export streams
// `GET /containers/{id}/export` (what `docker export` does, also for a running container);
// import sends the root filesystem to `POST /images/create?fromSrc=-` as a new image and
// creates the container from it, removing the image again when anything fails.
import { Readable } from 'node:stream';
import type { ArchiveEntry } from '../archive/entry.ts';
import { ArchiveError } from '../archive/errors.ts';
import { packTar } from '../archive/pack.ts';
import { coalesceChunks } from '../coalesce-chunks.ts';
import { isAddressOf } from '../container/address.ts';
import { hostArch } from '../container/arch.ts';
import type { ContainerConfig, ContainerSpec, ContainerSummary, ContainerType } from '../container/model.ts';
import { configOfInspect, createBody, LABELS, withTag, type DockerInspect } from '../docker/container-config.ts';
import { DockerApiError, DockerClient, ndjsonLines } from '../docker/client.ts';
import { InvalidInput, NotFound } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import { nameTaken } from './registry.ts';
import type { Container, ContainerRuntime, ImageSummary, RootfsExport } from './runtime.ts';

/** The repository an imported container's image is stored under: `stevedore-import/<name>:<tag>`. */
export const IMPORT_REPOSITORY = 'stevedore-import';
/**
 * The command of a container whose request and image name none: an imported root filesystem
 * has no default command, and the engine refuses to create a container without one.
 */
export const DEFAULT_COMMAND = ['/bin/sh'];
/** Smallest write of an imported root filesystem to the engine (see lib/coalesce-chunks.ts). */
const ENGINE_WRITE_BYTES = 256 * 1024;
/**
 * How long the engine may stay silent while it commits an imported layer or creates a
 * container (with the vfs storage driver, a full copy of the image): both grow with the root
 * filesystem, and a 256 MiB one took over 30 s on a busy 2-core machine.
 */
const SIZE_BOUND_IDLE_MS = 15 * 60_000;

interface InspectedImage {
  Architecture?: string;
  Config?: { Cmd?: string[] | null; Entrypoint?: string[] | null } | null;
}

interface ListedContainer {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Created: number;
}

export class DockerEngineRuntime implements ContainerRuntime {
  readonly types: readonly ContainerType[] = ['docker'];

  constructor(private readonly client: DockerClient) {}

  async list(): Promise<ContainerSummary[]> {
    const listed = await this.client.json<ListedContainer[]>({ method: 'GET', path: '/containers/json', query: { all: true } });
    return listed.sort((a, b) => a.Created - b.Created).map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), image: withTag(c.Image), state: stateOf(c.State), type: 'docker' }));
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    const inspect = await this.inspectAddressed(type, id);
    if (!inspect) return undefined;
    const arch = (await this.inspectImage(inspect.Config.Image))?.Architecture || hostArch();
    return {
      summary: { id: inspect.Id, name: inspect.Name.replace(/^\//, ''), image: withTag(inspect.Config.Image), state: stateOf(inspect.State.Status), type: 'docker' },
      config: configOfInspect(inspect, arch),
      exportRootfs: async (signal): Promise<RootfsExport> => {
        const answer = await this.client.open({ method: 'GET', path: `/containers/${inspect.Id}/export`, signal });
        return { format: 'tar', tar: this.client.body(answer, 'in the middle of the export; nothing was written'), estimatedBytes: inspect.SizeRootFs || undefined };
      },
    };
  }

  async isNameTaken(name: string): Promise<boolean> {
    const found = await this.client.json<ListedContainer[]>({ method: 'GET', path: '/containers/json', query: { all: true, filters: JSON.stringify({ name: [`^/${escapeRegExp(name)}$`] }) } });
    return found.length > 0;
  }

  async images(): Promise<ImageSummary[]> {
    const images = await this.client.json<{ RepoTags?: string[] | null }[]>({ method: 'GET', path: '/images/json' });
    return images.flatMap((image) => (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map(splitTag));
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    const image = `${spec.image}:${spec.tag}`;
    const inspected = await this.inspectImage(image);
    if (!inspected) throw new NotFound(`Image ${quoteBounded(image)} not found`);
    return this.createContainer(spec, spec, image, inspected, {});
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const inspect = await this.inspectAddressed(type, id);
    if (!inspect) throw new NotFound(`Container ${quoteBounded(id)} not found`);
    await this.client.json({ method: 'DELETE', path: `/containers/${inspect.Id}`, query: { force: true } });
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, entries: AsyncIterable<ArchiveEntry>): Promise<ContainerSummary> {
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const [repo, tag] = [`${IMPORT_REPOSITORY}/${spec.name.toLowerCase()}`, spec.tag];
    const image = `${repo}:${tag}`;
    const failed = new AbortController();
    const tar = packTar(entries);
    // A corrupt archive throws from `entries`: the upload is cut, and the engine makes no image.
    tar.on('error', (err) => failed.abort(err));
    try {
      await this.putImage(repo, tag, Readable.from(coalesceChunks(tar, ENGINE_WRITE_BYTES)), failed.signal);
    } catch (err) {
      await this.removeImage(image);
      throw failed.signal.aborted ? failed.signal.reason : err;
    }
    try {
      return await this.createContainer(spec, config, image, {}, { [LABELS.image]: config.image, [LABELS.arch]: config.arch });
    } catch (err) {
      await this.removeImage(image);
      throw err;
    }
  }

  /** Stores a root filesystem tar as the image `repo:tag`, as `docker import` does. */
  async putImage(repo: string, tag: string, tar: Readable, signal?: AbortSignal): Promise<void> {
    const progress = await this.client.open({ method: 'POST', path: '/images/create', query: { fromSrc: '-', repo, tag }, body: tar, signal, idleTimeoutMs: SIZE_BOUND_IDLE_MS });
    for await (const line of ndjsonLines(this.client.body(progress, 'in the middle of the import; nothing was created'))) {
      // The engine answers 200 and reports a failed import inside the stream.
      if (line.errorDetail || line.error) throw new ArchiveError(`The Docker engine refused the root filesystem: ${String((line.errorDetail as { message?: string })?.message ?? line.error)}`);
    }
  }

  /** The container an API address names: its full id, its name, or a prefix of 12 or more hex characters. */
  private async inspectAddressed(type: ContainerType, id: string): Promise<DockerInspect | undefined> {
    if (type !== 'docker' || !isAddress(id)) return undefined;
    const inspect = await this.inspect(id);
    const addressed = inspect && isAddressOf({ id: inspect.Id, name: inspect.Name.replace(/^\//, ''), type: 'docker' }, id);
    return addressed ? inspect : undefined;
  }

  private async createContainer(
    spec: ContainerSpec,
    settings: ContainerConfig | ContainerSpec,
    image: string,
    inspected: InspectedImage,
    labels: Record<string, string>,
  ): Promise<ContainerSummary> {
    const commandless = !settings.command && !settings.entrypoint && !inspected.Config?.Cmd?.length && !inspected.Config?.Entrypoint?.length;
    const body = commandless
      ? createBody({ ...settings, command: DEFAULT_COMMAND }, image, { ...labels, [LABELS.defaultCommand]: 'true' })
      : createBody(settings, image, labels);
    try {
      const created = await this.client.json<{ Id: string }>({ method: 'POST', path: '/containers/create', query: { name: spec.name }, json: body, idleTimeoutMs: SIZE_BOUND_IDLE_MS });
      return { id: created.Id, name: spec.name, image, state: 'stopped', type: 'docker' };
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 409) throw nameTaken(spec.name);
      // The engine has rules of its own (an environment entry needs a name); its reason is the client's to read.
      if (err instanceof DockerApiError && err.status === 400) throw new InvalidInput(`The Docker engine refused the container's settings: ${err.message}`);
      throw err;
    }
  }

  private async inspect(id: string): Promise<DockerInspect | undefined> {
    try {
      return await this.client.json<DockerInspect>({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json`, query: { size: true } });
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Undefined when the engine has no such image. */
  private async inspectImage(image: string): Promise<InspectedImage | undefined> {
    try {
      return await this.client.json<InspectedImage>({ method: 'GET', path: `/images/${encodeURIComponent(image)}/json` });
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async removeImage(image: string): Promise<void> {
    await this.client.json({ method: 'DELETE', path: `/images/${encodeURIComponent(image)}`, query: { force: true } }).catch(() => undefined);
  }
}

const stateOf = (state: string): ContainerSummary['state'] => (state === 'running' ? 'running' : 'stopped');

/** A full id, a prefix of one, or a container name: nothing else may reach the engine's paths. */
const isAddress = (id: string) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function splitTag(reference: string): ImageSummary {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? { name: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { name: reference, tag: 'latest' };
}
