// An async iteration that a signal ends: its reader gets the signal's reason at once, even while
// the source waits (an engine that stopped sending), and the source is let go.
//
// Each wait listens to the signal for itself and stops listening once it is over: a race
// against one promise that lives as long as the signal would add a reaction to it per chunk,
// each holding that chunk, and an export would keep every byte it passed on.

export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) return yield* source;
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const result = await nextUnlessAborted(iterator, signal);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Not awaited: a source busy with its own wait would hold the reader until that wait ends.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function nextUnlessAborted<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', abort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error as Error);
      },
    );
  });
}
