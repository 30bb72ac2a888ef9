// The Map-based LRU that stands in for mnemonist's in the Lambda bundles: what the DynamoDB
// client's endpoint cache relies on (get refreshes, peek does not, the oldest goes first).
import { describe, expect, it } from 'vitest';
import LRUCache from '../../lib/aws/endpoint-cache-lru.ts';

describe('the endpoint cache LRU', () => {
  it('evicts the least recently used entry once over capacity', () => {
    // Prepare
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1).set('b', 2);

    // Act
    cache.get('a');
    cache.set('c', 3);

    // Assess
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
  });

  it('leaves the order alone on peek, and replaces a value in place of adding one', () => {
    // Prepare
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1).set('b', 2);

    // Act
    expect(cache.peek('a')).toBe(1);
    cache.set('b', 20);
    cache.set('c', 3);

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 20, 3]);
    cache.clear();
    expect(cache.has('b')).toBe(false);
  });
});
