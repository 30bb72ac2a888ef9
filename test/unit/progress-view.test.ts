// How the CLI draws a followed task (cli/progress-view.ts): the terminal's live line and the
// plain lines of a log, from the answers a progress poll gives, with the clock faked so the
// speed and ETA are known.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { byteSize, PlainLines, TerminalLine } from '../../cli/progress-view.ts';
import type { ApiTask } from '../../cli/task.ts';

const MiB = 1024 * 1024;
const START = 1_800_000_000;

function running(done: number, total: number | undefined): ApiTask {
  const progress = total === undefined ? -1 : Math.floor((done * 100) / total);
  const bytes = total === undefined ? {} : { bytes_done: done, bytes_total: total };
  return { id: 7, state: 'running', type: 'docker', cid: 'c', cname: 'c', path: '/Public/c.tgz', user: 'admin', init: START, start: START, progress, ...bytes };
}

/** A terminal stderr of `columns` columns, with everything written to it. */
function terminal(columns = 100) {
  const stream = Object.assign(new PassThrough(), { columns }) as unknown as NodeJS.WriteStream & PassThrough;
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { stream, written: () => written };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START * 1000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the live line on a terminal', () => {
  it('redraws one line in place with a bar, the percentage, the bytes, a speed and the ETA', async () => {
    const out = terminal();
    const view = new TerminalLine('export', out.stream);
    view.show(running(0, 100 * MiB));
    vi.advanceTimersByTime(2000);
    view.show(running(20 * MiB, 100 * MiB));
    await vi.advanceTimersByTimeAsync(0);
    const frames = out.written().split('\r\x1b[2K').filter(Boolean);
    expect(frames.at(-1)).toBe('export 7 /Public/c.tgz [##--------] 20%  20.0 MiB of 100.0 MiB  10.0 MiB/s  0:02 elapsed  ETA 0:08');
    expect(out.written()).not.toContain('\n');
    view.close();
  });

  it('cuts the line to the terminal\'s width and clears it when following ends', async () => {
    const out = terminal(40);
    const view = new TerminalLine('export', out.stream);
    view.show(running(5 * MiB, 100 * MiB));
    view.close();
    const frames = out.written().split('\r\x1b[2K');
    expect(frames[1]).toHaveLength(39);
    expect(frames[1]!.endsWith('…')).toBe(true);
    expect(frames.at(-1)).toBe('');
  });
});

describe('plain lines for a log', () => {
  it('prints a line each 5 %, with the bytes and the smoothed speed, and none for smaller steps', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const view = new PlainLines('import', out);
    view.show(running(0, 64 * MiB));
    vi.advanceTimersByTime(1000);
    view.show(running(2 * MiB, 64 * MiB)); // 3 %: not yet
    vi.advanceTimersByTime(1000);
    view.show(running(4 * MiB, 64 * MiB)); // 6 %
    expect(written.split('\n').filter(Boolean)).toEqual([
      'import 7 /Public/c.tgz:  0%  0 B of 64.0 MiB  0:00 elapsed  ETA --',
      'import 7 /Public/c.tgz:  6%  4.0 MiB of 64.0 MiB  2.0 MiB/s  0:02 elapsed  ETA 0:30',
    ]);
  });

  it('falls back to a percentage speed when the server sends no bytes, and says when the size is unknown', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const view = new PlainLines('export', out);
    const percentOnly = (progress: number): ApiTask => ({ ...running(0, 1), progress, bytes_done: undefined, bytes_total: undefined });
    view.show(percentOnly(10));
    vi.advanceTimersByTime(2000);
    view.show(percentOnly(20));
    vi.advanceTimersByTime(5000);
    view.show(running(0, undefined));
    expect(written.split('\n').filter(Boolean)).toEqual([
      'export 7 /Public/c.tgz: 10%  0:00 elapsed  ETA --',
      'export 7 /Public/c.tgz: 20%  5.0%/s  0:02 elapsed  ETA 0:16',
      'export 7 /Public/c.tgz: running, size unknown, 0:07 elapsed',
    ]);
  });
});

describe('sizes', () => {
  it('reads like ls -h: bytes below 1 KiB, one decimal above', () => {
    expect([0, 1023, 1536, 10 * MiB, 3 * 1024 * MiB].map(byteSize)).toEqual(['0 B', '1023 B', '1.5 KiB', '10.0 MiB', '3.0 GiB']);
  });
});
