// The contract every share storage adapter passes: what the handlers and the worker rely on,
// through the ShareStorage port alone. Each test works in a folder of its own under the share
// folder `test`, which the factory's storage must have (empty or not).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ShareFolderConfig } from '../../lib/config.ts';
import { MissingPath } from '../../lib/errors.ts';
import { child, resolveSharePath, type SharePath } from '../../lib/share/paths.ts';
import type { PendingWrite, ShareStorage } from '../../lib/share/share-storage.ts';

const FOLDERS: ShareFolderConfig[] = [{ name: 'test', writable: true, quotaBytes: 1024 ** 3 }];
const MIB = 1024 * 1024;

const bytesOf = async (body: AsyncIterable<Buffer | Uint8Array>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

async function* chunksOf(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export function describeShareStorage(adapter: string, factory: () => Promise<ShareStorage>): void {
  describe(`the ${adapter} share storage meets the storage contract`, () => {
    let unique = 0;
    /** A new, existing, empty folder `test/<unique>` and the storage. */
    const folder = async (): Promise<{ storage: ShareStorage; dir: SharePath }> => {
      const storage = await factory();
      const dir = resolveSharePath(['test', `contract-${process.pid}-${++unique}`], FOLDERS);
      await storage.createDirectory(dir);
      return { storage, dir };
    };
    const write = (storage: ShareStorage, path: SharePath, bytes: Buffer) => storage.writeAtomically(path, chunksOf(bytes), { contentType: 'application/octet-stream' });

    it('lists directories first, then files, each sorted by name, and refuses a directory that does not exist', async () => {
      const { storage, dir } = await folder();
      await storage.createFile(child(dir, 'b.txt'), 'b');
      await storage.createDirectory(child(dir, 'z'));
      await storage.createFile(child(dir, 'a.txt'), 'a');
      await storage.createDirectory(child(dir, 'm'));
      await write(storage, child(child(dir, 'implied'), 'inside.bin'), Buffer.from('x'));
      expect(await storage.list(dir)).toEqual([
        { is_dir: true, name: 'implied', type: 'd' },
        { is_dir: true, name: 'm', type: 'd' },
        { is_dir: true, name: 'z', type: 'd' },
        { is_dir: false, name: 'a.txt', type: 'f' },
        { is_dir: false, name: 'b.txt', type: 'f' },
      ]);
      expect(await storage.list(child(dir, 'z'))).toEqual([]);
      await expect(storage.list(child(dir, 'nowhere'))).rejects.toBeInstanceOf(MissingPath);
    });

    it('tells files from directories, and a directory made only of what is under it', async () => {
      const { storage, dir } = await folder();
      const file = child(dir, 'f.txt');
      const implied = child(dir, 'implied');
      await storage.createFile(file, 'four');
      await write(storage, child(implied, 'x'), Buffer.from('x'));
      expect([await storage.isFile(file), await storage.isDirectory(file), await storage.exists(file)]).toEqual([true, false, true]);
      expect([await storage.isFile(implied), await storage.isDirectory(implied), await storage.exists(implied)]).toEqual([false, true, true]);
      const missing = child(dir, 'missing');
      expect([await storage.isFile(missing), await storage.isDirectory(missing), await storage.exists(missing)]).toEqual([false, false, false]);
      expect(await storage.fileSize(file)).toBe(4);
      expect(await storage.fileSize(missing)).toBeUndefined();
    });

    it('reads a file whole, as a stream, or a byte range of it, and refuses a file that does not exist', async () => {
      const { storage, dir } = await folder();
      const bytes = randomBytes(300 * 1024);
      const path = child(dir, 'data.bin');
      await write(storage, path, bytes);
      const opened = await storage.openRead(path);
      expect(opened.size).toBe(bytes.length);
      expect((await bytesOf(opened.body)).equals(bytes)).toBe(true);
      expect((await storage.readRange(path, 1000, 1999)).equals(bytes.subarray(1000, 2000))).toBe(true);
      await expect(storage.openRead(child(dir, 'gone.bin'))).rejects.toBeInstanceOf(MissingPath);
    });

    it('makes an atomic write appear only once the whole body was stored and the last check passed, replacing the file', async () => {
      const { storage, dir } = await folder();
      const path = child(dir, 'archive.tgz');
      await write(storage, path, Buffer.from('previous'));
      const bytes = randomBytes(11 * MIB);
      const pending: PendingWrite[] = [];
      let seenAtCommit: boolean | undefined;
      await storage.writeAtomically(path, chunksOf(bytes), {
        contentType: 'application/gzip',
        sizeHint: bytes.length,
        beforeCommit: async () => {
          seenAtCommit = (await storage.fileSize(path)) === bytes.length;
        },
        onPending: async (write) => void pending.push(write),
      });
      expect(seenAtCommit).toBe(false);
      expect(pending).toHaveLength(1);
      expect((await bytesOf((await storage.openRead(path)).body)).equals(bytes)).toBe(true);
    });

    it('leaves the file as it was when the body fails or the last check refuses, and abandons the pending write', async () => {
      const { storage, dir } = await folder();
      const path = child(dir, 'kept.tar');
      await write(storage, path, Buffer.from('previous'));
      async function* failing(): AsyncGenerator<Buffer> {
        yield* chunksOf(randomBytes(6 * MIB));
        throw new Error('the container went away');
      }
      await expect(storage.writeAtomically(path, failing(), { contentType: 'application/x-tar' })).rejects.toThrow('the container went away');
      const refused = storage.writeAtomically(path, chunksOf(randomBytes(11 * MIB)), {
        contentType: 'application/x-tar',
        beforeCommit: async () => {
          throw new Error('the task was taken over');
        },
      });
      await expect(refused).rejects.toThrow('the task was taken over');
      expect((await bytesOf((await storage.openRead(path)).body)).toString()).toBe('previous');
      expect(await storage.list(dir)).toEqual([{ is_dir: false, name: 'kept.tar', type: 'f' }]);
    });

    it('deletes a file, and a directory with everything under it, answering how many objects went', async () => {
      const { storage, dir } = await folder();
      const sub = child(dir, 'sub');
      await storage.createDirectory(sub);
      await storage.createFile(child(sub, 'a'), 'a');
      await storage.createDirectory(child(sub, 'deeper'));
      await storage.createFile(child(child(sub, 'deeper'), 'b'), 'b');
      await storage.createFile(child(dir, 'file'), 'f');
      await storage.deleteFile(child(dir, 'file'));
      expect(await storage.isFile(child(dir, 'file'))).toBe(false);
      expect(await storage.deleteDirectory(sub)).toBe(4);
      expect(await storage.exists(sub)).toBe(false);
      expect(await storage.list(dir)).toEqual([]);
    });

    it('counts the bytes stored under a share folder', async () => {
      const { storage, dir } = await folder();
      const before = await storage.usedBytes('test');
      await write(storage, child(dir, 'counted.bin'), randomBytes(12345));
      expect((await storage.usedBytes('test')) - before).toBe(12345);
    });
  });
}
