// The LRU cache behind the DynamoDB client's endpoint discovery cache
// (@aws-sdk/endpoint-cache), for the Lambda bundles, which alias mnemonist/lru-cache here
// (infra/aws/bundle.ts). Every DynamoDB client builds that cache, though stevedore never turns
// endpoint discovery on; mnemonist's typed-array LRU and its helpers were 6.5 KiB of every
// bundle with a table. A Map keeps insertion order, which is all an LRU needs at this size.
// Only the methods the endpoint cache calls are here.
export default class LRUCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The value without making it the most recently used. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as K);
    return this;
  }

  clear(): void {
    this.#entries.clear();
  }
}
