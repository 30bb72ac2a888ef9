// Keeps V8's garbage from piling up while tasks stream.
//
// A streaming task promotes a little garbage all the time: what lives through two scavenges of
// the worker's 2 MiB semi-spaces (WORKER_NODE_OPTIONS), such as the objects of each part's
// request while it is in flight (about 10 MiB per GiB exported), and the buffers that die old
// (zlib's output, parts, the engine's reads), whose memory outside the heap goes back only when
// a full collection finds them dead. V8 sizes its limits for throughput: it set the old
// generation's first limit anywhere from 22 to 58 MiB for the same 1 GiB export, and starts a
// full collection for external memory only after it has grown by about 64 MiB. So the peak RSS
// of a 4 GiB export wandered by 40 MiB from run to run. A full collection of the worker's heap
// takes a few milliseconds; taking one whenever either has grown by its share keeps the worker
// as flat as its live buffers.
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The heap as the keeper sees it. */
export interface HeapGauge {
  /** V8's old generation: every space but the young generation's. */
  oldGenerationBytes(): number;
  /** Memory outside V8's heap held by its objects: array buffers' contents, zlib's state. */
  externalBytes(): number;
  /** A full collection. */
  collect(): void;
}

export interface KeeperOptions {
  /** Growth of the old generation since the last collection that makes the keeper collect. */
  oldGenerationGrowthBytes: number;
  /** The same for external memory, whose live part moves with the buffers in flight. */
  externalGrowthBytes: number;
  intervalMs: number;
}

const MIB = 1024 * 1024;
export const DEFAULT_KEEPER_OPTIONS: KeeperOptions = { oldGenerationGrowthBytes: 8 * MIB, externalGrowthBytes: 32 * MIB, intervalMs: 250 };

/** V8's own heap of this process. */
export function v8HeapGauge(): HeapGauge {
  return {
    oldGenerationBytes: () =>
      getHeapSpaceStatistics()
        .filter((space) => !space.space_name.startsWith('new_'))
        .reduce((sum, space) => sum + space.space_used_size, 0),
    externalBytes: () => getHeapStatistics().external_memory,
    collect: fullCollection(),
  };
}

/** V8's `gc()`: a full collection, or a scavenge with `{ type: 'minor' }`. */
export type GarbageCollector = (options?: { type: 'major' | 'minor' }) => void;

/**
 * `gc()` of a process started with --expose-gc, else the same function made available now:
 * the flag only adds the function to contexts created after it.
 */
export function garbageCollector(): GarbageCollector {
  const exposed = (globalThis as { gc?: GarbageCollector }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as GarbageCollector;
}

function fullCollection(): () => void {
  const gc = garbageCollector();
  return () => {
    gc();
    // V8 frees the dead buffers' contents while it sweeps, but lowers its external-memory count
    // only at its next collection: a scavenge (well under a millisecond with the worker's 2 MiB
    // semi-spaces) makes the count true now, so the baseline taken after it is not 64 MiB high.
    gc({ type: 'minor' });
  };
}

/**
 * Checks the heap every `intervalMs` while at least one holder holds it, and collects when the
 * old generation or external memory has grown by its share since its lowest point after the
 * last collection (the old generation's counts from the first hold on). Tasks running side by
 * side share one keeper.
 */
export class HeapKeeper {
  private holders = 0;
  private timer: NodeJS.Timeout | undefined;
  /**
   * External memory counts from the first full collection seen while held, not from the hold:
   * a task allocates its buffers after it (about 35 MiB of parts and gzip lanes for a .tgz),
   * which would look like garbage, and one needless collection at the start doubled V8's own
   * collections after it (0.37 CPU s more for a 256 MiB .tgz export, median of six).
   */
  private baseline = { oldGeneration: 0, external: Number.POSITIVE_INFINITY };
  /** The old generation at the last check: it shrinks only in a full collection. */
  private previousOldGeneration = 0;
  private collected = 0;

  constructor(
    private readonly heap: HeapGauge,
    private readonly options: KeeperOptions = DEFAULT_KEEPER_OPTIONS,
  ) {}

  /** Full collections it has taken. */
  get collections(): number {
    return this.collected;
  }

  /** Holds the keeper until the returned function is called (once). */
  hold(): () => void {
    if (this.holders++ === 0) {
      this.previousOldGeneration = this.heap.oldGenerationBytes();
      this.baseline = { oldGeneration: this.previousOldGeneration, external: Number.POSITIVE_INFINITY };
      // unref: a keeper never keeps the process alive on its own.
      this.timer = setInterval(() => this.check(), this.options.intervalMs).unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) clearInterval(this.timer);
    };
  }

  private check(): void {
    const now = { oldGeneration: this.heap.oldGenerationBytes(), external: this.heap.externalBytes() };
    const collectedByV8 = now.oldGeneration < this.previousOldGeneration;
    this.previousOldGeneration = now.oldGeneration;
    if (now.oldGeneration - this.baseline.oldGeneration >= this.options.oldGenerationGrowthBytes || now.external - this.baseline.external >= this.options.externalGrowthBytes) {
      this.heap.collect();
      this.collected++;
      this.baseline = { oldGeneration: this.heap.oldGenerationBytes(), external: this.heap.externalBytes() };
      this.previousOldGeneration = this.baseline.oldGeneration;
      return;
    }
    // Growth counts from the lowest point since the last collection: V8's own collections lower
    // the heap too, and after one of them its count of external memory drops only at the next.
    const externalMeasured = Number.isFinite(this.baseline.external) || collectedByV8;
    this.baseline = {
      oldGeneration: Math.min(this.baseline.oldGeneration, now.oldGeneration),
      external: externalMeasured ? Math.min(this.baseline.external, now.external) : this.baseline.external,
    };
  }
}

let processKeeper: HeapKeeper | undefined;

/** The keeper of this process's own heap, made on first use. */
export function heapKeeper(): HeapKeeper {
  processKeeper ??= new HeapKeeper(v8HeapGauge());
  return processKeeper;
}
