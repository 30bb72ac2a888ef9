// The worker's keeper of V8's old generation: while tasks run, garbage promoted by streaming is
// collected once it has grown by a few MiB, so the heap stays flat with the archive's size.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OldGenerationKeeper, v8OldGeneration, type OldGeneration } from '../../lib/worker/old-generation.ts';

const MIB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const collectYoung = () => (runInNewContext('gc') as (options: { type: 'minor' }) => void)({ type: 'minor' });

/** A heap whose old generation grows when told to, and drops back to its live size when collected. */
class GrowingHeap implements OldGeneration {
  used = 10 * MIB;
  live = 10 * MIB;
  collections = 0;
  usedBytes(): number {
    return this.used;
  }
  collect(): void {
    this.collections++;
    this.used = this.live;
  }
}

describe('OldGenerationKeeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once the old generation has grown by the threshold since the hold, then counts again from what survived', () => {
    // Prepare
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    const keeper = new OldGenerationKeeper(heap, { growthBytes: 8 * MIB, intervalMs: 1000 });
    const release = keeper.hold();

    // Act and assess: 7 MiB of growth is left alone, 8 is collected
    heap.used += 7 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(0);
    heap.used += 1 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(1);

    // Act and assess: what survived (live data grew by 3 MiB) is the new baseline
    heap.live += 3 * MIB;
    heap.used = heap.live;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(1);
    heap.used += 8 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(2);
    expect(keeper.collections).toBe(2);
    release();
  });

  it('checks once for tasks side by side, and not at all once the last of them has released it', () => {
    // Prepare
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    const usedBytes = vi.spyOn(heap, 'usedBytes');
    const keeper = new OldGenerationKeeper(heap, { growthBytes: 8 * MIB, intervalMs: 1000 });
    const releaseFirst = keeper.hold();
    const releaseSecond = keeper.hold();
    usedBytes.mockClear();

    // Act and assess: one check a second for both
    vi.advanceTimersByTime(3000);
    expect(usedBytes).toHaveBeenCalledTimes(3);

    // Act and assess: a release called twice counts once; the second task still holds it
    releaseFirst();
    releaseFirst();
    vi.advanceTimersByTime(1000);
    expect(usedBytes).toHaveBeenCalledTimes(4);

    // Act and assess: nothing more after the last release, whatever the heap does
    releaseSecond();
    heap.used += 100 * MIB;
    vi.advanceTimersByTime(5000);
    expect(usedBytes).toHaveBeenCalledTimes(4);
    expect(heap.collections).toBe(0);
  });
});

describe('v8OldGeneration', () => {
  it('sees promoted garbage in the old generation, and its collection frees it', () => {
    // Prepare: 300,000 small objects live through two scavenges, which promotes them, then are let go of
    const heap = v8OldGeneration();
    heap.collect();
    const before = heap.usedBytes();
    let promoted: { index: number; name: string }[] | undefined = [];
    for (let index = 0; index < 300_000; index++) promoted.push({ index, name: `entry-${index}` });
    collectYoung();
    collectYoung();
    promoted = undefined;
    const grown = heap.usedBytes();

    // Act
    heap.collect();

    // Assess
    expect(grown - before).toBeGreaterThan(8 * MIB);
    expect(heap.usedBytes() - before).toBeLessThan(2 * MIB);
  });
});
