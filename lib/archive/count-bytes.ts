// The one byte counter of every stream stevedore reads (a root filesystem, an archive): the
// chunks pass through unchanged, and each one is reported with the running total, which is
// what progress and the unpack budget are made of.
export async function* countBytes(
  source: AsyncIterable<Buffer>,
  onChunk: (chunkBytes: number, totalBytes: number) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    onChunk(chunk.length, total);
    yield chunk;
  }
}
