// One entry of a tar stream: its header and its body. A consumer must read (or drain) the
// body before it asks for the next entry: bodies are read from the tar as they are asked for.
import type { ContainerType } from '../container-type.ts';

export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory' | 'block-device' | 'character-device' | 'fifo' | 'contiguous-file';

/** A tar entry's header, as the tar codec (tar-header.ts) reads and writes it. */
export interface TarHeader {
  name: string;
  /** null for a type flag stevedore does not know (a GNU sparse file): import leaves such an entry out, and the writer refuses it. */
  type: TarEntryType | null;
  size: number;
  mode: number;
  mtime: Date;
  linkname: string;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** The entry's pax records as read; path, linkpath and size are already applied to the fields above. */
  pax?: Record<string, string> | null;
}

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

/** A body of the given chunks (none: the body of anything but a file). */
export async function* bodyOf(...chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}
