// gzip on every core: the input is cut into blocks, each block is compressed as an
// independent gzip member on libuv's thread pool, and the members are written in order.
// Stretches of a block that would not compress are written as stored members (stored-gzip.ts).
// A sequence of members is one valid gzip file (RFC 1952 section 2.2): gzip -d, GNU tar and
// Node's gunzip all read it. Memory stays at about (blocks in flight) x (block size).
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { compressibilityRuns, storedGzipMember } from './stored-gzip.ts';

export interface ParallelGzipOptions {
  level: number;
  /** Uncompressed bytes per gzip member; bigger blocks lose less ratio to dictionary resets. */
  blockBytes?: number;
  /** Members compressed at once; defaults to twice the number of cores. */
  concurrency?: number;
  /** Write stretches that look incompressible as stored blocks instead of deflating them (the default). */
  storeIncompressible?: boolean;
}

// 1 MiB blocks cost under 0.1 % of ratio against one stream and keep memory small; twice as
// many blocks in flight as cores keep every core busy while the event loop hands out the next.
const DEFAULT_BLOCK_BYTES = 1024 * 1024;


/**
 * One long-lived zlib stream that compresses one member at a time: finished with Z_FINISH,
 * then reset for the next. Reusing it spares allocating zlib's state (hundreds of KiB of
 * native memory) for every member, and the malloc churn across thread-pool threads with it.
 */
class GzipLane {
  private readonly gzip: Gzip;
  private output: Buffer[] = [];
  private failure: Error | undefined;

  constructor(level: number, outputBytes: number) {
    // zlib hands its output back to JavaScript one chunkSize at a time (16 KiB by default): a
    // member's worth at once makes one round trip to the thread pool per member, not sixty.
    this.gzip = createGzip({ level, chunkSize: outputBytes });
    this.gzip.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.gzip.on('error', (err) => (this.failure = err));
  }

  compress(block: Buffer): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      this.gzip.write(block);
      this.gzip.flush(constants.Z_FINISH, () => {
        if (this.failure) return reject(this.failure);
        if (this.gzip.destroyed) return reject(new Error('gzip lane closed before its member was finished'));
        const member = this.output;
        this.output = [];
        (this.gzip as Gzip & { reset(): void }).reset(); // the next write starts a new member
        resolve(member);
      });
    });
  }

  close(): void {
    this.gzip.close();
  }
}

/** The block as members: its incompressible runs stored, the others deflated by the lane. */
async function compressOrStore(lane: GzipLane, block: Buffer): Promise<Buffer[]> {
  const members: Buffer[] = [];
  for (const run of compressibilityRuns(block)) {
    if (run.incompressible) members.push(storedGzipMember(run.bytes));
    else members.push(...(await lane.compress(run.bytes)));
  }
  return members;
}

export function createParallelGzip(options: ParallelGzipOptions): Transform {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const concurrency = Math.max(1, options.concurrency ?? 2 * availableParallelism());
  const lanes = Array.from({ length: concurrency }, () => new GzipLane(options.level, blockBytes + 64 * 1024));
  let membersStarted = 0;
  // Input is copied into blocks from a pool of `concurrency` + 1 (those in flight and the one
  // being filled), reused once their member is written: blocks live for several collections
  // while they wait, so fresh ones would be promoted to V8's old space and pile up as dead
  // external memory until a full collection.
  const freeBlocks: Buffer[] = [];
  let block: Buffer | undefined;
  let filled = 0;
  /** Compressions in input order; the head is written as soon as it is done. */
  const inFlight: { block: Buffer; member: Promise<Buffer[]> }[] = [];

  // Round robin: a lane gets its next block only after its previous member was written out,
  // because at most `concurrency` members are in flight and they are awaited in order.
  const store = options.storeIncompressible ?? true;
  const compress = (whole: Buffer, bytes: number) => {
    const lane = lanes[membersStarted++ % concurrency]!;
    const input = whole.subarray(0, bytes);
    const member = store ? compressOrStore(lane, input) : lane.compress(input);
    member.catch(() => undefined); // awaited in order below; this only keeps a failure from going unhandled meanwhile
    inFlight.push({ block: whole, member });
  };
  const writeOldest = async (stream: Transform) => {
    const oldest = inFlight.shift()!;
    const pieces = await oldest.member;
    freeBlocks.push(oldest.block); // zlib has read it, and a stored member is a copy
    for (const piece of pieces) stream.push(piece);
  };
  const close = () => lanes.forEach((lane) => lane.close());

  return new Transform({
    async transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        for (let offset = 0; offset < chunk.length; ) {
          block ??= freeBlocks.pop() ?? Buffer.allocUnsafe(blockBytes);
          const copied = chunk.copy(block, filled, offset);
          filled += copied;
          offset += copied;
          if (filled < blockBytes) continue;
          compress(block, filled);
          block = undefined;
          filled = 0;
          while (inFlight.length >= concurrency) await writeOldest(this);
          // A block of stored members never leaves the event loop's microtasks: without a turn
          // of the loop here, megabytes of incompressible input ran without one, and a server in
          // the same process (npm start) answered nothing for up to 190 ms.
          await setImmediate();
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    async flush(this: Transform, done: TransformCallback) {
      try {
        // Empty input still makes a valid (empty) gzip file.
        if (filled > 0 || membersStarted === 0) compress(block ?? Buffer.alloc(0), filled);
        while (inFlight.length > 0) await writeOldest(this);
        close();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    destroy(err, callback) {
      // zlib must not be closed under a compression in flight; close once they are done.
      void Promise.allSettled(inFlight.map(({ member }) => member)).then(close);
      callback(err);
    },
  });
}
