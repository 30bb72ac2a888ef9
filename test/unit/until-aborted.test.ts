// The iteration a signal ends: its reader gets the reason at once, and while the signal lives
// nothing handed on stays reachable from it (an export passes hundreds of MiB through).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../lib/archive/until-aborted.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('untilAborted', () => {
  it('keeps nothing it handed on reachable while the signal lives', async () => {
    // Prepare
    const handedOn: WeakRef<Buffer>[] = [];
    async function* source(): AsyncGenerator<Buffer> {
      for (;;) {
        const chunk = Buffer.alloc(64 * 1024);
        handedOn.push(new WeakRef(chunk));
        yield chunk;
      }
    }
    const chunks = untilAborted(source(), new AbortController().signal)[Symbol.asyncIterator]();

    // Act: 100 chunks read and let go, the iteration still open
    for (let count = 0; count < 100; count += 1) await chunks.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();

    // Assess: all but the last one or two are gone
    expect(handedOn.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(2);
    await chunks.return?.(undefined);
  });

  it('ends a waiting iteration with the signal\'s reason at once', async () => {
    // Prepare
    const controller = new AbortController();
    async function* stuck(): AsyncGenerator<Buffer> {
      yield Buffer.from('first');
      await new Promise(() => undefined);
    }
    const chunks = untilAborted(stuck(), controller.signal)[Symbol.asyncIterator]();
    await chunks.next();

    // Act
    const waiting = chunks.next();
    controller.abort(new Error('task stopped'));

    // Assess
    await expect(waiting).rejects.toThrow('task stopped');
  });
});
