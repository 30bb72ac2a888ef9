// Passes a byte stream through unchanged and reports the running count: progress for tasks
// is bytes read against a size known up front.
import { Transform } from 'node:stream';

export function countBytes(source: NodeJS.ReadableStream, onCount: (bytesSoFar: number) => void): Transform {
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onCount(bytes);
      done(null, chunk);
    },
  });
  source.on('error', (err: Error) => counted.destroy(err));
  source.pipe(counted);
  return counted;
}
