// One entry of a tar stream: its header and its body. A consumer must read (or drain) the
// body before it asks for the next entry, as with tar-stream's extract.
import type { Header as TarHeader } from 'tar-stream';
import type { ContainerConfig } from '../runtimes/runtime.ts';

export interface ArchiveEntry {
  header: TarHeader;
  /** Exactly `header.size` bytes for files; empty for everything else. */
  body: AsyncIterable<Buffer>;
}

/** The container configuration stored at the head of every archive, and who wrote it. */
export interface ArchiveConfig extends ContainerConfig {
  source: string;
}
