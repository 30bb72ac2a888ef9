// Keeps V8's old generation from piling up garbage while tasks stream.
//
// A streaming task promotes a little garbage all the time: what lives through two scavenges of
// the worker's 2 MiB semi-spaces (WORKER_NODE_OPTIONS), such as the objects of each part's
// request while it is in flight, about 10 MiB per GiB exported. V8 sizes the old generation for
// throughput and sets its first limit from how the first seconds ran: 22 to 58 MiB in runs of
// the same 1 GiB export, so the peak RSS of a 4 GiB export wandered by 40 MiB from run to run.
// A full collection of the worker's heap takes a few milliseconds; taking one whenever the old
// generation has grown by GROWTH_BYTES keeps the heap as flat as the task's buffers.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The heap as the keeper sees it: what the old generation holds, and a full collection. */
export interface OldGeneration {
  usedBytes(): number;
  collect(): void;
}

export interface KeeperOptions {
  growthBytes: number;
  intervalMs: number;
}

const MIB = 1024 * 1024;
export const DEFAULT_KEEPER_OPTIONS: KeeperOptions = { growthBytes: 8 * MIB, intervalMs: 1000 };

/** V8's own heap of this process: every space but the young generation's. */
export function v8OldGeneration(): OldGeneration {
  return {
    usedBytes: () =>
      getHeapSpaceStatistics()
        .filter((space) => !space.space_name.startsWith('new_'))
        .reduce((sum, space) => sum + space.space_used_size, 0),
    collect: fullCollection(),
  };
}

/**
 * `gc()` of a process started with --expose-gc (Lambda's Node runtime is), else the same
 * function made available now: the flag only adds the function to contexts created after it.
 */
function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return () => exposed();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => gc();
}

/**
 * Checks the old generation every `intervalMs` while at least one holder holds it, and
 * collects when it has grown by `growthBytes` since the last check that collected (or the
 * first hold). Tasks running side by side share one keeper.
 */
export class OldGenerationKeeper {
  private holders = 0;
  private timer: NodeJS.Timeout | undefined;
  private baseline = 0;
  private collected = 0;

  constructor(
    private readonly heap: OldGeneration,
    private readonly options: KeeperOptions = DEFAULT_KEEPER_OPTIONS,
  ) {}

  /** Full collections it has taken. */
  get collections(): number {
    return this.collected;
  }

  /** Holds the keeper until the returned function is called (once). */
  hold(): () => void {
    if (this.holders++ === 0) {
      this.baseline = this.heap.usedBytes();
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
    if (this.heap.usedBytes() - this.baseline < this.options.growthBytes) return;
    this.heap.collect();
    this.collected++;
    this.baseline = this.heap.usedBytes();
  }
}

let processKeeper: OldGenerationKeeper | undefined;

/** The keeper of this process's own heap, made on first use. */
export function oldGenerationKeeper(): OldGenerationKeeper {
  processKeeper ??= new OldGenerationKeeper(v8OldGeneration());
  return processKeeper;
}
