// The worker's keeper of V8's heap: while tasks run, garbage promoted by streaming (objects in
// the old generation, dead buffers outside the heap) is collected once it has grown by a few
// MiB, so the worker's memory stays flat with the archive's size.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { garbageCollector, HeapKeeper, v8HeapGauge, type HeapGauge, type KeeperOptions } from '../../lib/worker/heap-keeper.ts';

const MIB = 1024 * 1024;
const gc = garbageCollector();

/**
 * Makes garbage that V8 has promoted: what `make` returns lives through two scavenges, then is
 * let go of. In a function of its own, so that no register of the test's frame still holds it.
 */
function promotedGarbage(make: () => unknown): void {
  let kept: unknown = make();
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  kept = undefined;
  void kept;
}

/** A heap whose garbage grows when told to, and drops back to what is live when collected. */
class GrowingHeap implements HeapGauge {
  old = { used: 10 * MIB, live: 10 * MIB };
  external = { used: 20 * MIB, live: 20 * MIB };
  collections = 0;
  oldGenerationBytes(): number {
    return this.old.used;
  }
  externalBytes(): number {
    return this.external.used;
  }
  collect(): void {
    this.collections++;
    this.old.used = this.old.live;
    this.external.used = this.external.live;
  }
}

const OPTIONS: KeeperOptions = { oldGenerationGrowthBytes: 8 * MIB, externalGrowthBytes: 32 * MIB, intervalMs: 1000 };

/** Grows the heap to one MiB short of the share (left alone), then by the last MiB (collected). */
function expectCollectionAtShare(heap: GrowingHeap, grow: (bytes: number) => void, shareBytes: number): void {
  const before = heap.collections;
  grow(shareBytes - MIB);
  vi.advanceTimersByTime(1000);
  expect(heap.collections).toBe(before);
  grow(MIB);
  vi.advanceTimersByTime(1000);
  expect(heap.collections).toBe(before + 1);
}

describe('HeapKeeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once the old generation has grown by its share since the hold, then counts again from what survived', () => {
    // Prepare
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    const keeper = new HeapKeeper(heap, OPTIONS);
    const release = keeper.hold();

    // Act and assess: 7 MiB of growth is left alone, 8 is collected
    expectCollectionAtShare(heap, (bytes) => (heap.old.used += bytes), 8 * MIB);

    // Act and assess: what survived (live data grew by 3 MiB) is the new baseline
    heap.old.live += 3 * MIB;
    heap.old.used = heap.old.live;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(1);
    heap.old.used += 8 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(2);
    expect(keeper.collections).toBe(2);
    release();
  });

  it('counts external memory from the first full collection, not from the hold: the buffers a task allocates first are not garbage', () => {
    // Prepare
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    const release = new HeapKeeper(heap, OPTIONS).hold();

    // Act and assess: 40 MiB of buffers allocated before any collection are left alone
    heap.external.used += 40 * MIB;
    heap.external.live += 40 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(0);

    // Act and assess: once V8 has collected (the old generation shrank), 31 MiB more are left alone, 32 collected
    heap.old.used -= 1 * MIB;
    vi.advanceTimersByTime(1000);
    expectCollectionAtShare(heap, (bytes) => (heap.external.used += bytes), 32 * MIB);
    expect(heap.external.used).toBe(heap.external.live);
    release();
  });

  it('counts growth from the lowest point since the last collection, as dead buffers go back late', () => {
    // Prepare: a heap whose collections leave external memory as it was, until the sweeper's turn
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    heap.collect = () => void heap.collections++;
    const release = new HeapKeeper(heap, OPTIONS).hold();
    heap.old.used += 8 * MIB;
    heap.external.used += 32 * MIB;
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(1);

    // Act: the sweeper returns the buffers, then 32 MiB of buffers die again
    heap.external.used = heap.external.live;
    vi.advanceTimersByTime(1000);
    heap.external.used += 32 * MIB;
    vi.advanceTimersByTime(1000);

    // Assess
    expect(heap.collections).toBe(2);
    release();
  });

  it('checks once for tasks side by side, and not at all once the last of them has released it', () => {
    // Prepare
    vi.useFakeTimers();
    const heap = new GrowingHeap();
    const oldGenerationBytes = vi.spyOn(heap, 'oldGenerationBytes');
    const keeper = new HeapKeeper(heap, OPTIONS);
    const releaseFirst = keeper.hold();
    const releaseSecond = keeper.hold();
    oldGenerationBytes.mockClear();

    // Act and assess: one check a second for both
    vi.advanceTimersByTime(3000);
    expect(oldGenerationBytes).toHaveBeenCalledTimes(3);

    // Act and assess: a release called twice counts once; the second task still holds it
    releaseFirst();
    releaseFirst();
    vi.advanceTimersByTime(1000);
    expect(oldGenerationBytes).toHaveBeenCalledTimes(4);

    // Act and assess: nothing more after the last release, whatever the heap does
    releaseSecond();
    heap.old.used += 100 * MIB;
    vi.advanceTimersByTime(5000);
    expect(oldGenerationBytes).toHaveBeenCalledTimes(4);
    expect(heap.collections).toBe(0);
  });
});

describe('v8HeapGauge', () => {
  it('sees promoted garbage in the old generation, and its collection frees it', () => {
    // Prepare: 300,000 small objects
    const heap = v8HeapGauge();
    heap.collect();
    const before = heap.oldGenerationBytes();
    promotedGarbage(() => Array.from({ length: 300_000 }, (_, index) => ({ index, name: `entry-${index}` })));
    const grown = heap.oldGenerationBytes();

    // Act
    heap.collect();

    // Assess
    expect(grown - before).toBeGreaterThan(8 * MIB);
    expect(heap.oldGenerationBytes() - before).toBeLessThan(2 * MIB);
  });

  it('sees buffers that died old outside the heap, and its collection frees them and says so at once', () => {
    // Prepare: 64 buffers of 1 MiB
    const heap = v8HeapGauge();
    heap.collect();
    const before = heap.externalBytes();
    promotedGarbage(() => Array.from({ length: 64 }, () => Buffer.alloc(MIB)));
    const grown = heap.externalBytes();

    // Act
    heap.collect();

    // Assess
    expect(grown - before).toBeGreaterThan(60 * MIB);
    expect(heap.externalBytes() - before).toBeLessThan(8 * MIB);
  });
});
