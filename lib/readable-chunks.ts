// A Readable's chunks as they arrived. A Readable's own async iterator reads with read(), which
// joins everything buffered into one new Buffer: whenever the reader is the slower side (an
// engine's export read by the tar codec, a gunzip's output), that is a copy of every byte and a
// large buffer to collect. 180 ms of a 256 MiB Docker export's worker thread went to it.
import { finished, type Readable } from 'node:stream';

/** Unread bytes at which the stream is paused; it resumes below half of it. */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * The stream's chunks, each as the stream emitted it. Ends when the stream ends; throws its
 * error, or a premature close, after the chunks that came before it; destroys the stream when
 * the reader stops early, as a Readable's own iterator does.
 */
export async function* chunksOf(stream: Readable, highWaterBytes = HIGH_WATER_BYTES): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    queuedBytes += chunk.length;
    if (queuedBytes >= highWaterBytes) stream.pause();
    notify();
  };
  const stopWatching = finished(stream, (err) => {
    if (err) failure = err;
    ended = true;
    notify();
  });
  stream.on('data', onData);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queuedBytes -= chunk.length;
        if (!ended && stream.isPaused() && queuedBytes < highWaterBytes / 2) stream.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stopWatching();
    if (!ended) stream.destroy();
  }
}
