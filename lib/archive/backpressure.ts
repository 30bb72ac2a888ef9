// Waiting on tar-stream's streams (streamx, not node:stream) when they ask the writer to pause.

interface PausingWritable {
  readonly destroying: boolean;
  once(name: 'drain' | 'close', listener: () => void): unknown;
  off(name: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Resolves when the stream wants more data, or once it is being destroyed: a destroyed
 * streamx stream never emits 'drain' again, and the writer has to notice and stop.
 */
export function whenWritable(stream: PausingWritable): Promise<void> {
  if (stream.destroying) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
