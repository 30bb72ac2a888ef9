// The share storage port: the files and folders of the share folders, whatever holds them.
// Handlers and the worker see only this interface; the S3 adapter (./s3-share-storage.ts)
// serves it from a bucket, and an in-memory one serves the unit tests.
import type { Readable } from 'node:stream';
import type { SharePath } from './paths.ts';
import type { FolderEntry } from './entry-schema.ts';

export type { FolderEntry } from './entry-schema.ts';

/** A write that has started but not appeared yet: what is needed to abandon it from elsewhere. */
export interface PendingWrite {
  key: string;
  uploadId: string;
}

export interface AtomicWriteOptions {
  /**
   * What the body will probably weigh, or an upper bound: sizes the parts of a long write. A
   * promise when it is found while the body already flows: the parts after it take it into account.
   */
  sizeHint?: number | Promise<number | undefined>;
  contentType: string;
  signal?: AbortSignal;
  /**
   * Runs once the whole body is stored, right before the file appears; a throw abandons the
   * write and leaves the path as it was. The place to re-check that the write may still happen.
   */
  beforeCommit?: () => Promise<void>;
  /** Called when the write becomes a pending one that must be abandoned if this process dies. */
  onPending?: (write: PendingWrite) => Promise<void>;
}

export interface ShareStorage {
  /** Directories first, then files, each sorted by name. Throws MissingPath for no directory. */
  list(dir: SharePath): Promise<FolderEntry[]>;
  isDirectory(path: SharePath): Promise<boolean>;
  isFile(path: SharePath): Promise<boolean>;
  exists(path: SharePath): Promise<boolean>;
  /** The size of a file in bytes, or undefined when there is no file at the path. */
  fileSize(path: SharePath): Promise<number | undefined>;
  /** Bytes `start`..`end` (inclusive) of a file: inspect reads only an archive's head. */
  readRange(path: SharePath, start: number, end: number): Promise<Buffer>;
  /** A file's bytes as a stream. Throws MissingPath when there is no file at the path. */
  openRead(path: SharePath, signal?: AbortSignal): Promise<{ size: number; body: Readable }>;
  /**
   * Writes a file that appears whole or not at all, replacing one that exists. A chunk of `body`
   * may be reused by its producer once the next one is asked for (an export's archive is):
   * an adapter copies what it keeps past that.
   */
  writeAtomically(path: SharePath, body: AsyncIterable<Uint8Array>, options: AtomicWriteOptions): Promise<void>;
  /** Abandons a pending write of a process that died; best effort. */
  abandonWrite(write: PendingWrite): Promise<void>;
  /** Creates an empty directory or a text file; refuses to replace anything. */
  createDirectory(path: SharePath): Promise<void>;
  createFile(path: SharePath, content: string): Promise<void>;
  deleteFile(path: SharePath): Promise<void>;
  /** Deletes the directory and everything under it; answers how many objects went. */
  deleteDirectory(path: SharePath): Promise<number>;
  /** The bytes stored under a share folder. */
  usedBytes(folderName: string): Promise<number>;
}
