// The Docker Engine runtime: `docker` containers are the engine's own. Export streams
// `GET /containers/{id}/export` (what `docker export` does, also for a running container);
// import sends the root filesystem to `POST /images/create?fromSrc=-` as a new image and
// creates the container from it, removing both again when anything fails.
//
// An import can outlive the process that runs it: the engine goes on with a request whose
// client was killed (committing a layer, copying an image for a container with vfs), so what
// it made may appear after the process is gone, and after a restarted worker looked. Hence an
// import makes everything out of sight first, labelled with the task's claim (IMPORT_LABELS):
// the image untagged, the container under a staging name. Only its last two steps give them
// their real names (the image's tag, then the container's rename, which the engine refuses
// when the name was taken meanwhile). A staged object whose claim is dead is always garbage,
// whenever it appears, and needs no look at the table; one with its real name is removed only
// for a task that is being aborted because its worker died (removeAbandonedImports), so a
// container of an import that completed is never touched.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ArchiveError } from '../archive/errors.ts';
import { coalesceChunks } from '../coalesce-chunks.ts';
import { isAddressOf } from '../container/address.ts';
import { hostArch } from '../container/arch.ts';
import type { ContainerConfig, ContainerSpec, ContainerSummary, ContainerType } from '../container/model.ts';
import { configOfInspect, createBody, LABELS, withTag, type DockerInspect } from '../docker/container-config.ts';
import { DockerApiError, DockerClient, ndjsonLines } from '../docker/client.ts';
import { InvalidInput, NotFound, Unavailable } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import { nameTaken } from './registry.ts';
import type { AbandonedImports, Container, ContainerRuntime, ImageSummary, ImportClaim, ImportOptions, RootfsExport } from './runtime.ts';

/** The repository an imported container's image is stored under: `stevedore-import/<name>:<tag>`. */
export const IMPORT_REPOSITORY = 'stevedore-import';
/** The name prefix of a container an import has not finished yet; never listed, never a client's name. */
export const STAGING_PREFIX = 'stevedore-staging-';
/** What ties an imported image and container to the task that made them (its claim). */
export const IMPORT_LABELS = { owner: 'io.stevedore.import.owner', task: 'io.stevedore.import.task' } as const;
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
  /** Bytes of its layers, recorded when they were made. */
  Size?: number;
  Config?: { Cmd?: string[] | null; Entrypoint?: string[] | null } | null;
}

interface ListedContainer {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Created: number;
  Labels?: Record<string, string> | null;
}

interface ListedImage {
  Id: string;
  RepoTags?: string[] | null;
  Labels?: Record<string, string> | null;
}

export class DockerEngineRuntime implements ContainerRuntime {
  readonly types: readonly ContainerType[] = ['docker'];

  constructor(private readonly client: DockerClient) {}

  async list(): Promise<ContainerSummary[]> {
    const listed = await this.client.json<ListedContainer[]>({ method: 'GET', path: '/containers/json', query: { all: true } });
    return listed
      .filter((c) => !isStaged(c))
      .sort((a, b) => a.Created - b.Created)
      .map((c) => ({ id: c.Id, name: nameOf(c), image: withTag(c.Image), state: stateOf(c.State), type: 'docker' }));
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    const inspect = await this.inspectAddressed(type, id);
    if (!inspect) return undefined;
    // The image the container was made from, by id: its tag may name another image since.
    const image = await this.inspectImage(inspect.Image || inspect.Config.Image);
    const arch = image?.Architecture || hostArch();
    return {
      summary: { id: inspect.Id, name: inspect.Name.replace(/^\//, ''), image: withTag(inspect.Config.Image), state: stateOf(inspect.State.Status), type: 'docker' },
      config: configOfInspect(inspect, arch),
      exportRootfs: async (signal): Promise<RootfsExport> => {
        const answer = await this.client.open({ method: 'GET', path: `/containers/${inspect.Id}/export`, signal });
        // The size the engine recorded for the image, not the container's own: that one the engine
        // finds by walking every file (0.6 CPU s of its own for 256 MiB on vfs, a third of what
        // the export itself costs it). What the container wrote since is left out of the estimate;
        // progress past it holds at 99 % until the export ends, and parts grow as they must.
        return { format: 'tar', tar: this.client.body(answer, 'in the middle of the export; nothing was written'), estimatedBytes: image?.Size || undefined };
      },
    };
  }

  async isNameTaken(name: string): Promise<boolean> {
    const found = await this.client.json<ListedContainer[]>({ method: 'GET', path: '/containers/json', query: { all: true, filters: JSON.stringify({ name: [`^/${escapeRegExp(name)}$`] }) } });
    return found.length > 0;
  }

  async images(): Promise<ImageSummary[]> {
    const images = await this.client.json<ListedImage[]>({ method: 'GET', path: '/images/json' });
    return images.flatMap((image) => tagsOf(image).map(splitTag));
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    const image = `${spec.image}:${spec.tag}`;
    const inspected = await this.inspectImage(image);
    if (!inspected) throw new NotFound(`Image ${quoteBounded(image)} not found`);
    const id = await this.createContainer(spec.name, spec, image, inspected, {});
    return { id, name: spec.name, image, state: 'stopped', type: 'docker' };
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const inspect = await this.inspectAddressed(type, id);
    if (!inspect) throw new NotFound(`Container ${quoteBounded(id)} not found`);
    await this.client.json({ method: 'DELETE', path: `/containers/${inspect.Id}`, query: { force: true } });
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>, options: ImportOptions = {}): Promise<ContainerSummary> {
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const [repo, tag] = [`${IMPORT_REPOSITORY}/${spec.name.toLowerCase()}`, spec.tag];
    const claimLabels = options.claim ? labelsOf(options.claim) : {};
    const failed = new AbortController();
    let imageId: string;
    try {
      imageId = await this.importImage(Readable.from(coalesceChunks(abortingOnError(tar, failed), ENGINE_WRITE_BYTES)), { labels: claimLabels }, failed.signal);
    } catch (err) {
      // The engine names the image only at the end; one it stored before it failed carries the claim.
      if (options.claim) await this.removeImagesOf(options.claim.owner);
      throw failed.signal.aborted ? failed.signal.reason : err;
    }
    let containerId: string | undefined;
    try {
      // The container's config names the image by its real name, so the tag comes first.
      await this.client.json({ method: 'POST', path: `/images/${imageId}/tag`, query: { repo, tag } });
      const labels = { ...claimLabels, [LABELS.image]: config.image, [LABELS.arch]: config.arch };
      containerId = await this.createContainer(`${STAGING_PREFIX}${randomUUID()}`, config, `${repo}:${tag}`, {}, labels);
      await this.rename(containerId, spec.name);
      return { id: containerId, name: spec.name, image: `${repo}:${tag}`, state: 'stopped', type: 'docker' };
    } catch (err) {
      if (containerId) await this.client.json({ method: 'DELETE', path: `/containers/${containerId}`, query: { force: true } }).catch(() => undefined);
      await this.removeImage(imageId);
      throw err;
    }
  }

  async removeAbandonedImports({ isGone, unfinished }: AbandonedImports): Promise<string[]> {
    const removed: string[] = [];
    const labelled = { filters: JSON.stringify({ label: [IMPORT_LABELS.owner] }) };
    // Containers first: an image a container uses is not removed (no force below).
    const containers = await this.client.json<ListedContainer[]>({ method: 'GET', path: '/containers/json', query: { all: true, ...labelled } });
    for (const container of containers) {
      const owner = container.Labels?.[IMPORT_LABELS.owner] ?? '';
      if (!isGone(owner) || !(isStaged(container) || unfinished.has(owner))) continue;
      try {
        await this.client.json({ method: 'DELETE', path: `/containers/${container.Id}`, query: { force: true } });
      } catch (err) {
        // Removed meanwhile (a pass of another worker on this machine): what was asked for is done.
        if (err instanceof DockerApiError && err.status === 404) continue;
        throw err;
      }
      removed.push(`container ${nameOf(container)} of import ${container.Labels?.[IMPORT_LABELS.task] ?? '?'}`);
    }
    for (const image of await this.client.json<ListedImage[]>({ method: 'GET', path: '/images/json', query: labelled })) {
      const owner = image.Labels?.[IMPORT_LABELS.owner] ?? '';
      if (!isGone(owner) || !(tagsOf(image).length === 0 || unfinished.has(owner))) continue;
      try {
        // Without force: an untagged image a container still uses (one an import whose worker
        // died is creating right now, say) stays, and goes at a later pass.
        await this.client.json({ method: 'DELETE', path: `/images/${image.Id}` });
        removed.push(`image ${tagsOf(image)[0] ?? image.Id} of import ${image.Labels?.[IMPORT_LABELS.task] ?? '?'}`);
      } catch (err) {
        if (!(err instanceof DockerApiError && err.status === 409)) throw err;
      }
    }
    return removed;
  }

  /** Stores a root filesystem tar as the image `repo:tag`, as `docker import` does. */
  async putImage(repo: string, tag: string, tar: Readable, signal?: AbortSignal): Promise<void> {
    await this.importImage(tar, { repo, tag }, signal);
  }

  /** Stores a root filesystem tar as an image (untagged unless `repo` is given); its id. */
  private async importImage(tar: Readable, options: { repo?: string; tag?: string; labels?: Record<string, string> }, signal?: AbortSignal): Promise<string> {
    const labels = Object.entries(options.labels ?? {}).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    const changes = labels.length > 0 ? `LABEL ${labels.join(' ')}` : undefined;
    const query = { fromSrc: '-', repo: options.repo, tag: options.tag, changes };
    const progress = await this.client.open({ method: 'POST', path: '/images/create', query, body: tar, signal, idleTimeoutMs: SIZE_BOUND_IDLE_MS });
    let id: string | undefined;
    for await (const line of ndjsonLines(this.client.body(progress, 'in the middle of the import; nothing was created'))) {
      // The engine answers 200 and reports a failed import inside the stream.
      if (line.errorDetail || line.error) throw new ArchiveError(`The Docker engine refused the root filesystem: ${String((line.errorDetail as { message?: string })?.message ?? line.error)}`);
      // Its last line is the new image's id.
      if (typeof line.status === 'string' && line.status.startsWith('sha256:')) id = line.status;
    }
    if (!id) throw new Unavailable('The Docker engine ended the import without naming the image it made');
    return id;
  }

  /** The last step of an import: the container takes its real name, or the name was taken meanwhile. */
  private async rename(id: string, name: string): Promise<void> {
    try {
      await this.client.json({ method: 'POST', path: `/containers/${id}/rename`, query: { name } });
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 409) throw nameTaken(name);
      throw err;
    }
  }

  /** The container an API address names: its full id, its name, or a prefix of 12 or more hex characters. */
  private async inspectAddressed(type: ContainerType, id: string): Promise<DockerInspect | undefined> {
    if (type !== 'docker' || !isAddress(id)) return undefined;
    const inspect = await this.inspect(id);
    const addressed = inspect && isAddressOf({ id: inspect.Id, name: inspect.Name.replace(/^\//, ''), type: 'docker' }, id);
    return addressed ? inspect : undefined;
  }

  /** The new container's id. */
  private async createContainer(
    name: string,
    settings: ContainerConfig | ContainerSpec,
    image: string,
    inspected: InspectedImage,
    labels: Record<string, string>,
  ): Promise<string> {
    const commandless = !settings.command && !settings.entrypoint && !inspected.Config?.Cmd?.length && !inspected.Config?.Entrypoint?.length;
    const body = commandless
      ? createBody({ ...settings, command: DEFAULT_COMMAND }, image, { ...labels, [LABELS.defaultCommand]: 'true' })
      : createBody(settings, image, labels);
    try {
      const created = await this.client.json<{ Id: string }>({ method: 'POST', path: '/containers/create', query: { name }, json: body, idleTimeoutMs: SIZE_BOUND_IDLE_MS });
      return created.Id;
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 409) throw nameTaken(name);
      // The engine has rules of its own (an environment entry needs a name); its reason is the client's to read.
      if (err instanceof DockerApiError && err.status === 400) throw new InvalidInput(`The Docker engine refused the container's settings: ${err.message}`);
      throw err;
    }
  }

  private async inspect(id: string): Promise<DockerInspect | undefined> {
    try {
      return await this.client.json<DockerInspect>({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json` });
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

  private async removeImagesOf(owner: string): Promise<void> {
    const query = { filters: JSON.stringify({ label: [`${IMPORT_LABELS.owner}=${owner}`] }) };
    const images = await this.client.json<ListedImage[]>({ method: 'GET', path: '/images/json', query }).catch(() => []);
    for (const image of images) await this.removeImage(image.Id);
  }

  private async removeImage(image: string): Promise<void> {
    await this.client.json({ method: 'DELETE', path: `/images/${encodeURIComponent(image)}`, query: { force: true } }).catch(() => undefined);
  }
}

const nameOf = (container: ListedContainer) => (container.Names[0] ?? '').replace(/^\//, '');
/** A container an import has not given its real name yet. */
const isStaged = (container: ListedContainer) => nameOf(container).startsWith(STAGING_PREFIX);
const tagsOf = (image: ListedImage) => (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
const labelsOf = (claim: ImportClaim) => ({ [IMPORT_LABELS.owner]: claim.owner, [IMPORT_LABELS.task]: String(claim.task) });

const stateOf = (state: string): ContainerSummary['state'] => (state === 'running' ? 'running' : 'stopped');

/** A full id, a prefix of one, or a container name: nothing else may reach the engine's paths. */
const isAddress = (id: string) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function splitTag(reference: string): ImageSummary {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? { name: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { name: reference, tag: 'latest' };
}

/** `tar`'s chunks; its error (a corrupt archive) also aborts `failed`, which cuts the upload: the engine makes no image. */
async function* abortingOnError(tar: AsyncIterable<Buffer>, failed: AbortController): AsyncGenerator<Buffer> {
  try {
    yield* tar;
  } catch (error) {
    failed.abort(error);
    throw error;
  }
}
