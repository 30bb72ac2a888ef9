// An async iteration that a signal ends: its reader gets the signal's reason at once, even while
// the source waits (an engine that stopped sending), and the source is let go.
//
// One listener for the whole iteration, which fails the wait under way. Not a listener per
// wait: adding and removing one on a composite signal (AbortSignal.any) costs Node a refresh of
// its sources each time, 76 ms of a 256 MiB export's worker thread. Not a race against one
// promise that lives as long as the signal either: that adds a reaction to it per chunk, each
// holding that chunk, and an export would keep every byte it passed on.

export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) return yield* source;
  const iterator = source[Symbol.asyncIterator]();
  let failWait: ((reason: Error) => void) | undefined;
  const onAbort = () => failWait?.(signal.reason as Error);
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason as Error;
      const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
        failWait = reject;
        iterator.next().then(resolve, reject);
      });
      failWait = undefined;
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    failWait = undefined;
    signal.removeEventListener('abort', onAbort);
    // Not awaited: a source busy with its own wait would hold the reader until that wait ends.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
