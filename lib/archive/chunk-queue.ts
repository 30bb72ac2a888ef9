// A byte stream read by count: exact reads for headers, and reads of at most a count that hand
// on views of the chunks as they arrived, for bodies that pass through untouched. Only what is
// handed on becomes a view; skipping and the position within a chunk cost no allocation.

export class ChunkQueue {
  #source: AsyncIterator<Buffer>;
  #chunk: Buffer = Buffer.alloc(0);
  /** Where the unread part of `#chunk` starts. */
  #offset = 0;
  #ended = false;

  constructor(chunks: AsyncIterable<Buffer>) {
    this.#source = chunks[Symbol.asyncIterator]();
  }

  /** Exactly `bytes` bytes (a view when one chunk holds them), or undefined when the stream ends first. */
  async read(bytes: number): Promise<Buffer | undefined> {
    if (this.#unread() >= bytes) return this.#take(bytes);
    const parts: Buffer[] = [];
    let missing = bytes;
    while (missing > 0) {
      if (!(await this.#fill())) return undefined;
      const part = this.#take(Math.min(missing, this.#unread()));
      parts.push(part);
      missing -= part.length;
    }
    return Buffer.concat(parts, bytes);
  }

  /** Between 1 and `bytes` bytes as a view of the current chunk, or undefined at the end. */
  async readUpTo(bytes: number): Promise<Buffer | undefined> {
    if (!(await this.#fill())) return undefined;
    return this.#take(Math.min(bytes, this.#unread()));
  }

  /** Passes over `bytes` bytes; false when the stream ends first. */
  async skip(bytes: number): Promise<boolean> {
    let missing = bytes;
    while (missing > 0) {
      if (!(await this.#fill())) return false;
      const skipped = Math.min(missing, this.#unread());
      this.#offset += skipped;
      missing -= skipped;
    }
    return true;
  }

  /** Reads the stream to its end, letting its source finish as it would for any reader. */
  async drain(): Promise<void> {
    this.#offset = this.#chunk.length;
    while (await this.#fill()) this.#offset = this.#chunk.length;
  }

  /** What was not read yet, as it arrives: a view of the current chunk's rest, then the source's chunks. Returning releases the source. */
  async *rest(): AsyncGenerator<Buffer> {
    try {
      while (await this.#fill()) yield this.#take(this.#unread());
    } finally {
      await this.close();
    }
  }

  /** Releases the source when it was not read to its end. Harmless after the end. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#source.return?.();
  }

  #unread(): number {
    return this.#chunk.length - this.#offset;
  }

  async #fill(): Promise<boolean> {
    while (this.#unread() === 0) {
      if (this.#ended) return false;
      const result = await this.#source.next();
      if (result.done) {
        this.#ended = true;
        return false;
      }
      this.#chunk = result.value;
      this.#offset = 0;
    }
    return true;
  }

  #take(bytes: number): Buffer {
    const taken = this.#chunk.subarray(this.#offset, this.#offset + bytes);
    this.#offset += bytes;
    return taken;
  }
}
