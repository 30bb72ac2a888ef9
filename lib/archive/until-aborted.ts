// An async iteration that a signal ends: its reader gets the signal's reason at once, even while
// the source waits (an engine that stopped sending), and the source is let go.

export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) return yield* source;
  const iterator = source[Symbol.asyncIterator]();
  let abortListener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abortListener = () => reject(signal.reason);
    signal.addEventListener('abort', abortListener, { once: true });
  });
  aborted.catch(() => undefined); // raced below; only the race's outcome matters
  let finished = false;
  try {
    signal.throwIfAborted();
    for (;;) {
      const pending = iterator.next();
      // A source still waiting when the signal came rejects later, with nobody left to listen.
      pending.catch(() => undefined);
      const result = await Promise.race([pending, aborted]);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', abortListener!);
    // Not awaited: a source busy with its own wait would hold the reader until that wait ends.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
