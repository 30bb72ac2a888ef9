// Where containers live. Export and import talk only to this interface; the built-in runtime
// keeps containers in stevedore's own table and bucket, real engines plug in beside it.
import type { ArchiveEntry } from '../archive/entry.ts';
import type { ContainerSpec, ContainerType } from '../container/schema.ts';

/** What `POST /api/v1/container` accepts, after validation: see lib/container/schema.ts. */
export type { ContainerSpec, ContainerType } from '../container/schema.ts';

/** The basic object of `GET /api/v1/container`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: 'running' | 'stopped';
  type: ContainerType;
}

/** The config object of `GET /api/v1/container/{type}/{id}/all` (and of import inspect). */
export interface ContainerConfig {
  arch: string;
  autostart: boolean;
  image: string;
  name: string;
  network: Record<string, unknown>;
  resource: Record<string, unknown>;
  type: ContainerType;
  volume: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ContainerRecord extends ContainerSummary {
  config: ContainerConfig;
}

export interface RootfsExport {
  /** Total bytes `entries` will read from the runtime, known before the first byte: progress is read/total. */
  totalBytes: number;
  /** Called with the running count of bytes read so far. */
  onBytesRead(listener: (bytesRead: number) => void): void;
  entries: AsyncIterable<ArchiveEntry>;
}

export interface ContainerRuntime {
  list(): Promise<ContainerSummary[]>;
  get(type: ContainerType, id: string): Promise<ContainerRecord | undefined>;
  create(spec: ContainerSpec): Promise<ContainerRecord>;
  remove(type: ContainerType, id: string): Promise<void>;
  exportRootfs(container: ContainerRecord, signal?: AbortSignal): Promise<RootfsExport>;
  /**
   * Creates a container from a root filesystem. Nothing of it may remain when `entries`
   * throws (a corrupt archive): the container appears only once every entry was taken.
   */
  importRootfs(spec: ContainerSpec, config: ContainerConfig, entries: AsyncIterable<ArchiveEntry>): Promise<ContainerRecord>;
}
