// gzip on every core: the input is cut into blocks, each block is compressed as an
// independent gzip member on libuv's thread pool, and the members are written in order.
// Stretches of a block that would not compress are written as stored members (stored-gzip.ts).
// A sequence of members is one valid gzip file (RFC 1952 section 2.2): gzip -d, GNU tar and
// Node's gunzip all read it. Memory stays at about (blocks in flight) x (block size).
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
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
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Compressions in input order; the head is written as soon as it is done. */
  const inFlight: Promise<Buffer[]>[] = [];

  // Round robin: a lane gets its next block only after its previous member was written out,
  // because at most `concurrency` members are in flight and they are awaited in order.
  const store = options.storeIncompressible ?? true;
  const compress = (block: Buffer) => {
    const lane = lanes[membersStarted++ % concurrency]!;
    const member = store ? compressOrStore(lane, block) : lane.compress(block);
    member.catch(() => undefined); // awaited in order below; this only keeps a failure from going unhandled meanwhile
    return member;
  };
  const writeOldest = async (stream: Transform) => {
    for (const piece of await inFlight.shift()!) stream.push(piece);
  };
  const close = () => lanes.forEach((lane) => lane.close());

  return new Transform({
    async transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= blockBytes) {
          const whole = Buffer.concat(pending, pendingBytes);
          const rest = whole.subarray(blockBytes);
          pending = rest.length > 0 ? [Buffer.from(rest)] : [];
          pendingBytes = rest.length;
          inFlight.push(compress(whole.subarray(0, blockBytes)));
          while (inFlight.length >= concurrency) await writeOldest(this);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    async flush(this: Transform, done: TransformCallback) {
      try {
        // Empty input still makes a valid (empty) gzip file.
        if (pendingBytes > 0 || membersStarted === 0) inFlight.push(compress(Buffer.concat(pending, pendingBytes)));
        while (inFlight.length > 0) await writeOldest(this);
        close();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    destroy(err, callback) {
      // zlib must not be closed under a compression in flight; close once they are done.
      void Promise.allSettled(inFlight).then(close);
      callback(err);
    },
  });
}
