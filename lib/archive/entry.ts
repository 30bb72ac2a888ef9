// One entry of a tar stream: its header and its body. A consumer must read (or drain) the
// body before it asks for the next entry, as with tar-stream's extract.
import type { Header as TarHeader } from 'tar-stream';
import type { ContainerType } from '../container-type.ts';

export interface ArchiveEntry {
  header: TarHeader;
  /** Exactly `header.size` bytes for files; empty for everything else. */
  body: AsyncIterable<Buffer>;
}

/**
 * The container configuration stored at the head of every archive, and who wrote it. Read back
 * it is untrusted: only these fields' types are checked (./config.ts), the settings' content is
 * checked where import takes them, and fields unknown here are kept as the archive has them.
 */
export interface ArchiveConfig {
  type: ContainerType;
  name: string;
  image: string;
  arch: string;
  autostart: boolean;
  network: Record<string, unknown>;
  resource: Record<string, unknown>;
  volume: Record<string, unknown>;
  source: string;
  [extra: string]: unknown;
}
