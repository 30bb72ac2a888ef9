// A stream's chunks as it emitted them: none joined into a copy when several wait, reading
// paused while a lot waits, the stream's failure after what came before it, and the stream let
// go when the reader stops early.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../lib/readable-chunks.ts';

const KIB = 1024;

describe('chunksOf', () => {
  it('hands on each chunk the stream emitted, the same buffer, even when several were waiting', async () => {
    // Prepare: three chunks waiting before the reader asks (a Readable's own iterator joins them into one)
    const emitted = [Buffer.alloc(64 * KIB, 1), Buffer.alloc(64 * KIB, 2), Buffer.alloc(10, 3)];
    const stream = new PassThrough();
    for (const chunk of emitted) stream.write(chunk);
    stream.end();
    // Act
    const read: Buffer[] = [];
    for await (const chunk of chunksOf(stream)) read.push(chunk);
    // Assess
    expect(read).toHaveLength(3);
    read.forEach((chunk, i) => expect(chunk).toBe(emitted[i]));
  });

  it('pauses the stream while its high-water mark waits unread, and reads to the end once the reader catches up', async () => {
    // Prepare: a source with far more than the mark ready
    let produced = 0;
    const stream = new Readable({
      read() {
        produced += 1;
        this.push(produced <= 64 ? Buffer.alloc(16 * KIB) : null);
      },
    });
    const chunks = chunksOf(stream, 64 * KIB)[Symbol.asyncIterator]();
    // Act: one chunk read, then time for the source to run ahead
    await chunks.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const producedWhileWaiting = produced;
    let rest = 0;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += 1;
    // Assess: the source stopped near the mark (its own buffer and ours), and nothing was lost
    expect(producedWhileWaiting).toBeLessThan(16);
    expect(1 + rest).toBe(64);
  });

  it('throws the stream\'s error after the chunks that came before it', async () => {
    // Prepare
    const stream = new PassThrough();
    stream.write(Buffer.from('before'));
    setImmediate(() => stream.destroy(new Error('the engine went away')));
    // Act
    const read: string[] = [];
    const reading = (async () => {
      for await (const chunk of chunksOf(stream)) read.push(chunk.toString());
    })();
    // Assess
    await expect(reading).rejects.toThrow('the engine went away');
    expect(read).toEqual(['before']);
  });

  it('fails when the stream closes before its end', async () => {
    // Prepare: a stream closed without an error and without ending
    const stream = new PassThrough();
    setImmediate(() => stream.destroy());
    // Act
    const reading = (async () => {
      for await (const _ of chunksOf(stream));
    })();
    // Assess
    await expect(reading).rejects.toThrow(/premature close/i);
  });

  it('destroys the stream when the reader stops early', async () => {
    // Prepare
    const stream = new PassThrough();
    stream.write(Buffer.from('one'));
    stream.write(Buffer.from('two'));
    // Act
    for await (const _ of chunksOf(stream)) break;
    // Assess
    expect(stream.destroyed).toBe(true);
  });
});
