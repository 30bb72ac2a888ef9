// Small chunks gathered into large ones. A tar stream comes in pieces of a header (512 bytes),
// a body slice and its padding; written one by one to a socket, each costs a system call and a
// chunk of HTTP framing on both sides, and the Docker engine spends more than twice the CPU
// reading such a request body than one arriving in large chunks. One copy per byte buys that back.

/**
 * The same bytes, in chunks of at least `minBytes` (the last one may be smaller). Pulls from
 * `source` only when asked for the next chunk, so backpressure holds and at most about
 * `minBytes` plus one source chunk are held.
 */
export async function* coalesceChunks(source: AsyncIterable<Buffer>, minBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    if (pendingBytes === 0 && chunk.length >= minBytes) {
      yield chunk;
      continue;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= minBytes) {
      yield Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
