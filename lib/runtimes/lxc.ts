// The LXC runtime: `lxc` containers are the directories of LXC_PATH that hold a `config` file,
// as LXC's own tools see them (`lxc-create -P <LXC_PATH>`). Export walks the root filesystem
// the config names; import and create build the new container in a staging directory inside
// LXC_PATH and rename it into place, so a container appears whole or not at all. Images are
// root filesystems stevedore keeps under `<LXC_PATH>/.stevedore-images/<name>/<tag>/`. An
// import's container carries its task's claim (../lxc/import-marker.ts), so that a restart can
// remove one whose worker was killed after the rename and before the task completed.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveEntry } from '../archive/entry.ts';
import { readTarEntries } from '../archive/tar-reader.ts';
import { ArchiveError } from '../archive/errors.ts';
import { hostArch } from '../container/arch.ts';
import { configFor, type ContainerConfig, type ContainerSpec, type ContainerSummary, type ContainerType } from '../container/model.ts';
import { CONTAINER_NAME_RULE } from '../container/schema.ts';
import { InvalidInput, NotFound } from '../errors.ts';
import { hostCgroupVersion, type CgroupVersion } from '../lxc/cgroup-limits.ts';
import { readLxcConfig, writeLxcConfig } from '../lxc/config-mapping.ts';
import { makeMountTarget } from '../lxc/mount-targets.ts';
import { isDirectory, pathExists } from '../lxc/path-kind.ts';
import { lxcState, stopLxcContainer } from '../lxc/state.ts';
import { readImportMarker, writeImportMarker } from '../lxc/import-marker.ts';
import { commitStaging, discardStaging, isStevedoreEntry, makeStaging, removeAbandonedStaging } from '../lxc/staging.ts';
import { estimateRootfsBytes, walkRootfs } from '../lxc/walk-rootfs.ts';
import { writeRootfs } from '../lxc/write-rootfs.ts';
import { logger } from '../log.ts';
import { onceSucceeded } from '../once.ts';
import { quoteBounded } from '../quote.ts';
import { nameTaken } from './registry.ts';
import type { AbandonedImports, Container, ContainerRuntime, ImageSummary, ImportClaim, ImportOptions, RootfsExport } from './runtime.ts';

export const IMAGES_DIRECTORY = '.stevedore-images';
/** The comment that records which image a container stevedore made came from (LXC refuses unknown keys). */
const IMAGE_COMMENT = /^#\s*stevedore image:\s*(\S+)\s*$/m;
/** What lxc-create writes: `# Template used to create this container: /usr/share/lxc/templates/lxc-busybox`. */
const TEMPLATE_COMMENT = /^#\s*Template used to create this container:\s*\S*lxc-([A-Za-z0-9_.-]+)\s*$/m;

export interface LxcRuntimeOptions {
  /** LXC_PATH: where the containers' directories are (LXC's default /var/lib/lxc). */
  lxcPath: string;
  /** The host directory the share folders are under, for bind mounts (volume.host). */
  shareRoot?: string;
  /** The cgroup version new configs are written for; found from /sys/fs/cgroup when left out. */
  cgroup?: CgroupVersion;
}

export class LxcRuntime implements ContainerRuntime {
  readonly types: readonly ContainerType[] = ['lxc'];
  private readonly cgroup: CgroupVersion;
  /** What an earlier process that crashed mid-import left in LXC_PATH goes on first use. */
  private readonly tidied = onceSucceeded(() => removeAbandonedStaging(this.options.lxcPath));

  constructor(private readonly options: LxcRuntimeOptions) {
    this.cgroup = options.cgroup ?? hostCgroupVersion();
  }

  async list(): Promise<ContainerSummary[]> {
    // A host worker lists its containers as it starts: a crashed import's staging goes then, not at the next import.
    await this.tidied();
    const names = await this.containerNames();
    const found = await Promise.all(
      names.map((name) =>
        // One container whose config cannot be read must not hide all the others.
        this.read(name).catch((err: unknown) => {
          logger.warn('an LXC container could not be read', { name, error: (err as Error).message });
          return undefined;
        }),
      ),
    );
    return found.flatMap((container) => (container ? [container.summary] : []));
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    if (type !== 'lxc' || !isContainerName(id)) return undefined;
    const read = await this.read(id);
    if (!read) return undefined;
    const { summary, config, unmapped, rootfs } = read;
    return {
      summary,
      config,
      native: { lxc_config: unmapped },
      exportRootfs: async (signal?: AbortSignal): Promise<RootfsExport> => {
        if ('problem' in rootfs) throw new InvalidInput(rootfs.problem);
        if (!(await isDirectory(rootfs.path))) throw new InvalidInput(`The root filesystem of ${id} (${rootfs.path}) is not a directory`);
        const warnings: string[] = [];
        // Sized while the entries flow: a walk of its own would hold back the export's first byte.
        const estimatedBytes = estimateRootfsBytes(rootfs.path, signal).catch(() => undefined);
        return { format: 'entries', entries: walkRootfs(rootfs.path, (message) => warnings.push(message), signal), estimatedBytes, warnings };
      },
    };
  }

  async isNameTaken(name: string): Promise<boolean> {
    // Any directory holds the name, config or not: import renames into exactly that path.
    return isContainerName(name) && (await pathExists(join(this.options.lxcPath, name)));
  }

  async images(): Promise<ImageSummary[]> {
    const root = join(this.options.lxcPath, IMAGES_DIRECTORY);
    const images: ImageSummary[] = [];
    for (const name of await readdir(root).catch(() => [] as string[])) {
      for (const tag of await readdir(join(root, name)).catch(() => [] as string[])) {
        if (await isDirectory(join(root, name, tag, 'rootfs'))) images.push({ name, tag });
      }
    }
    return images;
  }

  /** Adds an image from a root filesystem (written as an import writes one). */
  async putImage(name: string, tag: string, rootfs: AsyncIterable<ArchiveEntry>): Promise<ImageSummary> {
    const directory = this.imageDirectory({ image: name, tag });
    await mkdir(join(this.options.lxcPath, IMAGES_DIRECTORY, name), { recursive: true });
    await this.tidied();
    const staging = await makeStaging(this.options.lxcPath, `image-${name}`);
    try {
      await mkdir(join(staging, 'rootfs'));
      await writeRootfs(join(staging, 'rootfs'), rootfs, { warn: () => undefined, preserveOwnership: isRoot() });
      if (!(await commitStaging(staging, directory))) await discardStaging(staging); // the image is there already
    } catch (err) {
      await discardStaging(staging);
      throw err;
    }
    return { name, tag };
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    const image = this.imageDirectory(spec);
    if (!(await isDirectory(join(image, 'rootfs')))) throw new NotFound(`Image ${quoteBounded(`${spec.image}:${spec.tag}`)} not found`);
    // The image is stevedore's own copy, written by putImage: nothing in it to warn about.
    return this.build(spec, configFor(spec, hostArch()), [], walkRootfs(join(image, 'rootfs'), () => undefined), () => undefined);
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const read = type === 'lxc' && isContainerName(id) ? await this.read(id) : undefined;
    if (!read) throw new NotFound(`Container ${quoteBounded(id)} not found`);
    await this.discard(id, read.summary.state);
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>, options: ImportOptions = {}): Promise<ContainerSummary> {
    return this.build(spec, config, options.native?.lxc_config ?? [], readTarEntries(tar, true), options.warn ?? (() => undefined), options.claim);
  }

  /**
   * The staging directories of processes that no longer run, and the containers whose marker
   * holds the claim of a gone worker's task that is being aborted: renamed into place, but
   * never completed. A container of a completed import keeps its marker and is never removed
   * here: its task is no longer running, so its claim is never among the unfinished ones.
   */
  async removeAbandonedImports({ isGone, unfinished }: AbandonedImports): Promise<string[]> {
    const removed = (await removeAbandonedStaging(this.options.lxcPath)).map((name) => `staging directory ${name}`);
    // Only a task being aborted makes a container garbage: the periodic pass reads no markers.
    for (const name of unfinished.size > 0 ? await this.containerNames() : []) {
      const claim = await readImportMarker(join(this.options.lxcPath, name));
      if (!claim || !unfinished.has(claim.owner) || !isGone(claim.owner)) continue;
      await this.discard(name, await lxcState(this.options.lxcPath, name));
      removed.push(`container ${name} of import ${claim.task}`);
    }
    return removed;
  }

  private async discard(name: string, state: ContainerSummary['state']): Promise<void> {
    if (state === 'running') await stopLxcContainer(this.options.lxcPath, name);
    // The config first: from that moment on LXC and stevedore no longer see a container.
    await rm(join(this.options.lxcPath, name, 'config'), { force: true });
    await rm(join(this.options.lxcPath, name), { recursive: true, force: true });
  }

  /** A new container from a root filesystem and its settings, built in staging and renamed into place. */
  private async build(spec: ContainerSpec, config: ContainerConfig, unmapped: readonly string[], entries: AsyncIterable<ArchiveEntry>, warn: (message: string) => void, claim?: ImportClaim): Promise<ContainerSummary> {
    const { lxcPath } = this.options;
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    await this.tidied();
    const staging = await makeStaging(lxcPath, spec.name);
    try {
      // Before anything else: the container is never in place without it.
      if (claim) await writeImportMarker(staging, claim);
      await mkdir(join(staging, 'rootfs'));
      await writeRootfs(join(staging, 'rootfs'), entries, { warn, preserveOwnership: isRoot() });
      const volumes = await this.mountTargets(join(staging, 'rootfs'), config, warn);
      const written = writeLxcConfig({ name: spec.name, lxcPath, config: { ...config, volume: volumes }, unmapped, cgroup: this.cgroup, shareRoot: this.options.shareRoot });
      [...inexpressible(config), ...written.warnings].forEach(warn);
      const image = `${config.image}:${spec.tag}`;
      await writeFile(join(staging, 'config'), `# stevedore image: ${image}\n${written.text}`, { mode: 0o640 });
      if (!(await commitStaging(staging, join(lxcPath, spec.name)))) throw nameTaken(spec.name);
      return { id: spec.name, name: spec.name, image, state: 'stopped', type: 'lxc' };
    } catch (err) {
      await discardStaging(staging);
      throw err;
    }
  }

  /** The volumes whose mount targets could be made in the root filesystem; the others are left out, each a warning. */
  private async mountTargets(rootfs: string, config: ContainerConfig, warn: (message: string) => void): Promise<ContainerConfig['volume']> {
    const host: NonNullable<ContainerConfig['volume']['host']> = {};
    for (const [share, volume] of Object.entries(config.volume.host ?? {})) {
      if (await makeMountTarget(rootfs, volume.bind)) host[share] = volume;
      else warn(`left out the volume of ${share}: its mount point ${volume.bind} is a symlink or a file in the root filesystem`);
    }
    return config.volume.host ? { ...config.volume, host } : config.volume;
  }

  private imageDirectory({ image, tag }: Pick<ContainerSpec, 'image' | 'tag'>): string {
    // Both follow the schema's rules (no "/" in a tag); an image name's "/" nests directories, never "..".
    if (image.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new ArchiveError(`Invalid image name ${quoteBounded(image)}`);
    return join(this.options.lxcPath, IMAGES_DIRECTORY, image, tag);
  }

  private async containerNames(): Promise<string[]> {
    const names = await readdir(this.options.lxcPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names.filter((name) => !isStevedoreEntry(name) && isContainerName(name)).sort();
  }

  /** The container of a directory, or undefined when it has no config (not a container, or one being removed). */
  private async read(name: string) {
    const directory = join(this.options.lxcPath, name);
    let text: string;
    try {
      text = await readFile(join(directory, 'config'), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
    const read = readLxcConfig(text, name, { shareRoot: this.options.shareRoot });
    const image = IMAGE_COMMENT.exec(text)?.[1] ?? `${TEMPLATE_COMMENT.exec(text)?.[1] ?? 'lxc'}:latest`;
    const state = await lxcState(this.options.lxcPath, name);
    const summary: ContainerSummary = { id: name, name, image, state, type: 'lxc' };
    const config: ContainerConfig = {
      type: 'lxc',
      name,
      image: image.slice(0, image.lastIndexOf(':')),
      autostart: false,
      network: {},
      resource: {},
      volume: {},
      arch: hostArch(),
      ...read.settings,
    };
    return { summary, config, unmapped: read.unmapped, rootfs: read.rootfs };
  }
}

/** The settings an LXC config has no key for (published ports, DNS servers, device rules), each a warning. */
function inexpressible(config: ContainerConfig): string[] {
  const left: string[] = [];
  if (config.network.port?.length) left.push('network.port');
  if (config.network.dns?.length) left.push('network.dns');
  if (config.network.expose_port?.length) left.push('network.expose_port');
  if (config.resource.device?.length) left.push('resource.device');
  return left.map((field) => `left out "${field}": an LXC container's config has no setting for it`);
}

const isContainerName = (name: string) => CONTAINER_NAME_RULE.test(name);
const isRoot = () => process.getuid?.() === 0;
