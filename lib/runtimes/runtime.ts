// The runtime port: where containers live. Export and import talk only to this interface; the
// built-in runtime keeps containers in stevedore's own table and bucket, and engines (Docker's
// API, LXC's directories) plug in beside it through the registry (./registry.ts). Every
// adapter passes the contract suite (test/support/runtime-contract.ts).
import type { Readable } from 'node:stream';
import type { ArchiveEntry } from '../archive/entry.ts';
import type { ContainerConfig, ContainerSpec, ContainerSummary, ContainerType } from '../container/model.ts';
import type { NativeSettings } from '../container/native.ts';

/**
 * A container a runtime found. How the runtime reaches its root filesystem stays inside the
 * adapter: callers hold this object and ask it to export, never a field of the adapter's own.
 */
export interface Container {
  readonly summary: ContainerSummary;
  readonly config: ContainerConfig;
  /** What the runtime keeps beyond the schema's fields; the archive's config.json carries it. */
  readonly native?: NativeSettings;
  exportRootfs(signal?: AbortSignal): Promise<RootfsExport>;
}

/**
 * A root filesystem on its way out: entries (a directory walk), or a ready tar byte stream
 * (what an engine's export answers). The size is an estimate: a number when the runtime knows
 * it at once, or the promise of one it finds while the bytes already flow (walking a directory
 * tree takes as long as reading a good part of it); progress is bytes read against it once
 * known, and -1 when the runtime cannot tell.
 */
export type RootfsExport = {
  estimatedBytes?: number | Promise<number | undefined>;
  /** Filled as the export is read (a file that vanished mid-walk); the task reports them at the end. */
  warnings?: readonly string[];
} & (
  | { format: 'entries'; entries: AsyncIterable<ArchiveEntry> }
  | { format: 'tar'; tar: Readable }
);

/** An image a runtime can create containers from. */
export interface ImageSummary {
  name: string;
  tag: string;
}

export interface ContainerRuntime {
  /** The types of container this runtime serves (the registry picks one runtime per type). */
  readonly types: readonly ContainerType[];
  /** Its containers of those types, oldest first. */
  list(): Promise<ContainerSummary[]>;
  find(type: ContainerType, id: string): Promise<Container | undefined>;
  /** Whether a container of any type already has this name: names are unique per host. */
  isNameTaken(name: string): Promise<boolean>;
  images(): Promise<ImageSummary[]>;
  /** Throws NotFound for an unknown image, NameTaken for a name in use. */
  create(spec: ContainerSpec): Promise<ContainerSummary>;
  /** Throws NotFound for an unknown container. */
  remove(type: ContainerType, id: string): Promise<void>;
  /**
   * Creates a container from a root filesystem, with `config` as its config. `tar` is a tar
   * stevedore wrote or vetted (lib/archive/unpack.ts): names relative to the root, every entry
   * admitted. The container appears only once the last byte was taken: when `tar` throws (a
   * corrupt archive) or anything else fails, the adapter removes whatever it made so far (an
   * upload, an image, a staging directory) before the error reaches the caller, and nothing of
   * it remains.
   */
  importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>, options?: ImportOptions): Promise<ContainerSummary>;
  /**
   * Removes what imports left half-made when the process running them died without cleaning
   * up (a SIGKILL), and names what it removed: whatever of a gone claim is still out of sight
   * (staged, unnamed, unrecorded), and everything of a claim in `unfinished`, found by the claim
   * (ImportOptions.claim) the import stored with it. Never a container of a claim outside
   * `unfinished` once it has its name: its task may have completed. A runtime that keeps
   * nothing of an import outside the process (the in-memory one of the tests) has none.
   */
  removeAbandonedImports?(abandoned: AbandonedImports): Promise<string[]>;
}

/** The task an import runs for: its id and its claim (the owner the worker wrote into the task). */
export interface ImportClaim {
  task: number;
  owner: string;
}

/** Which imports will never finish: the claims the caller knows to be dead. */
export interface AbandonedImports {
  /** Whether the process that made `owner`'s claim no longer runs. */
  isGone(owner: string): boolean;
  /**
   * The claims of gone processes whose tasks are still running, about to be aborted: what they
   * made goes even where it already looks finished, since their tasks will never complete.
   */
  unfinished: ReadonlySet<string>;
}

export interface ImportOptions {
  /** The archive's native settings, checked against their schema (lib/container/native.ts) but still untrusted. */
  native?: NativeSettings;
  /** Where the runtime reports what it left out or changed; the task shows them. */
  warn?: (message: string) => void;
  /** The task this import runs for, so that what it leaves in a runtime after a crash can be found. */
  claim?: ImportClaim;
}
