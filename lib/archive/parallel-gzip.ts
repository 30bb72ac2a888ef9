// gzip on every core: the input is cut into blocks, each block is compressed as an
// independent gzip member on libuv's thread pool, and the members are written in order.
// Stretches of a block that would not compress are written as stored members (stored-gzip.ts),
// and binary ones are deflated a level lower than text (compressibility.ts).
// A sequence of members is one valid gzip file (RFC 1952 section 2.2): gzip -d, GNU tar and
// Node's gunzip all read it. Memory stays at about twice (blocks in flight) x (block size): the
// blocks, and each lane's output, all reused from the first block to the last.
import { availableParallelism } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { compressibilityRuns } from './compressibility.ts';
import { storedGzipMember } from './stored-gzip.ts';

export interface ParallelGzipOptions {
  /** zlib's level for text; binary data gets `reducedLevel` of it. */
  level: number;
  /** Uncompressed bytes per gzip member; bigger blocks lose less ratio to dictionary resets. */
  blockBytes?: number;
  /** Members compressed at once; defaults to twice the number of cores. */
  concurrency?: number;
}

// 1 MiB blocks cost under 0.1 % of ratio against one stream and keep memory small; twice as
// many blocks in flight as cores keep every core busy while the event loop hands out the next.
const DEFAULT_BLOCK_BYTES = 1024 * 1024;

/**
 * zlib hands its output over one chunk at a time, each in a buffer of its own. A chunk is
 * copied into the lane's output at once, so small ones die young; a member's worth in one
 * chunk lived across young-generation collections and piled up, dead, until a full one.
 */
const ZLIB_CHUNK_BYTES = 64 * 1024;
/**
 * zlib's largest hash table (2^16 heads instead of 2^15) and symbol buffer: fewer hash collisions
 * to walk at level 6. The benchmark's 278 MiB tar in 1 MiB members took 4.88 CPU s instead of
 * 5.34 (four runs each), 0.06 % larger; in its Docker export the gzip threads took 3.70-4.01
 * CPU s instead of 4.02-4.62. The state grows by about 200 KiB a lane.
 */
const ZLIB_MEM_LEVEL = 9;

/**
 * The level for binary data when text gets `level`. Levels 4-9 all search lazily and differ in
 * how far (chain lengths of 16 to 4,096); from 6 down to 5, binary data grew by under 1 % (see
 * compressibility.ts). Levels 1-5 keep their own: 4 already costs executables about 3 %, and
 * below 4 zlib switches to its greedy search.
 */
function reducedLevel(level: number): number {
  return level >= 6 ? level - 1 : level;
}

/**
 * One long-lived zlib stream per level, each compressing one member at a time: finished with
 * Z_FINISH, then reset for the next. Reusing them spares allocating zlib's state (hundreds of
 * KiB of native memory) for every member, and the malloc churn across thread-pool threads with
 * it. The members of one block go into one output buffer of the lane's own, reused at its next
 * block: a lane is given its next block only once its last member was taken (see below).
 */
class GzipLane {
  private readonly streams = new Map<number, Gzip>();
  private output: Buffer;
  private written = 0;
  private failure: Error | undefined;

  constructor(blockBytes: number) {
    // Deflate adds a few bytes per 16 KiB at worst, and gzip 18 per member: a block's members fit.
    this.output = Buffer.allocUnsafe(blockBytes + 64 * 1024);
  }

  /** A new block: the members of the one before were taken, and its output is written over. */
  startBlock(): void {
    this.written = 0;
  }

  /** The member of `input` at `level`: a view of the lane's output, valid until the lane's next block. */
  compress(input: Uint8Array, level: number): Promise<Uint8Array> {
    const gzip = this.streamAt(level);
    const start = this.written;
    return new Promise((resolve, reject) => {
      gzip.write(input);
      gzip.flush(constants.Z_FINISH, () => {
        if (this.failure) return reject(this.failure);
        if (gzip.destroyed) return reject(new Error('gzip lane closed before its member was finished'));
        (gzip as Gzip & { reset(): void }).reset(); // the next write starts a new member
        resolve(this.output.subarray(start, this.written));
      });
    });
  }

  close(): void {
    this.streams.forEach((gzip) => gzip.close());
  }

  private streamAt(level: number): Gzip {
    let gzip = this.streams.get(level);
    if (!gzip) {
      gzip = createGzip({ level, memLevel: ZLIB_MEM_LEVEL, chunkSize: ZLIB_CHUNK_BYTES });
      gzip.on('data', (chunk: Buffer) => this.append(chunk));
      gzip.on('error', (err) => (this.failure = err));
      this.streams.set(level, gzip);
    }
    return gzip;
  }

  private append(chunk: Buffer): void {
    if (this.written + chunk.length > this.output.length) {
      // Never with blocks of stevedore's size; a view already handed out keeps the old buffer.
      const larger = Buffer.allocUnsafe(Math.max(2 * this.output.length, this.written + chunk.length));
      this.output.copy(larger, 0, 0, this.written);
      this.output = larger;
    }
    this.written += chunk.copy(this.output, this.written);
  }
}

/** The block as members: its incompressible runs stored (views of the block), the others deflated by the lane at their effort's level. */
async function compressByEffort(lane: GzipLane, block: Buffer, level: number): Promise<Uint8Array[]> {
  const members: Uint8Array[] = [];
  for (const run of compressibilityRuns(block)) {
    if (run.effort === 'store') members.push(...storedGzipMember(run.bytes));
    else members.push(await lane.compress(run.bytes, run.effort === 'full' ? level : reducedLevel(level)));
  }
  return members;
}

/**
 * The gzip of `source`. A chunk it yields may be a view of a buffer it reuses: the chunk is valid
 * until the next one is asked for, and a consumer that keeps bytes longer copies them. That is
 * what keeps a stored member from being a copy of its input, and the memory of an export flat:
 * buffers that outlive a few young-generation collections wait for a full one, dead, by the
 * tens of megabytes.
 */
export async function* gzipInParallel(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ParallelGzipOptions): AsyncGenerator<Uint8Array> {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const concurrency = Math.max(1, options.concurrency ?? 2 * availableParallelism());
  const lanes = Array.from({ length: concurrency }, () => new GzipLane(blockBytes));
  let membersStarted = 0;
  // Input is copied into blocks from a pool (those in flight, the one being filled and the one
  // whose member is being taken), reused once their member was taken.
  const freeBlocks: Buffer[] = [];
  /** Compressions in input order; the head is yielded as soon as it is done. */
  const inFlight: { block: Buffer; member: Promise<Uint8Array[]> }[] = [];

  // Round robin: a lane gets its next block only after its previous member was taken, because
  // at most `concurrency` members are in flight and they are taken in order.
  const compress = (block: Buffer, bytes: number) => {
    const lane = lanes[membersStarted++ % concurrency]!;
    const input = block.subarray(0, bytes);
    lane.startBlock();
    const member = compressByEffort(lane, input, options.level);
    member.catch(() => undefined); // awaited in order below; this only keeps a failure from going unhandled meanwhile
    inFlight.push({ block, member });
  };
  async function* oldestMember(): AsyncGenerator<Uint8Array> {
    const oldest = inFlight.shift()!;
    for (const piece of await oldest.member) yield piece;
    // Asked past its last piece: zlib has read the block, and stored pieces (views of it) were taken.
    freeBlocks.push(oldest.block);
  }

  try {
    let block: Buffer | undefined;
    let filled = 0;
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.length; ) {
        block ??= freeBlocks.pop() ?? Buffer.allocUnsafe(blockBytes);
        const copied = Math.min(blockBytes - filled, chunk.length - offset);
        block.set(chunk.subarray(offset, offset + copied), filled);
        filled += copied;
        offset += copied;
        if (filled < blockBytes) continue;
        compress(block, filled);
        block = undefined;
        filled = 0;
        while (inFlight.length >= concurrency) yield* oldestMember();
        // A block of stored members never leaves the event loop's microtasks: without a turn
        // of the loop here, megabytes of incompressible input ran without one, and a server in
        // the same process (npm start) answered nothing for up to 190 ms.
        await setImmediate();
      }
    }
    // Empty input still makes a valid (empty) gzip file.
    if (filled > 0 || membersStarted === 0) compress(block ?? Buffer.alloc(0), filled);
    while (inFlight.length > 0) yield* oldestMember();
  } finally {
    // zlib must not be closed under a compression in flight (an error, or a consumer that stopped).
    await Promise.allSettled(inFlight.map(({ member }) => member));
    lanes.forEach((lane) => lane.close());
  }
}
