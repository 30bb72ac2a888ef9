// How a followed task's progress is shown: one live line on a terminal, plain lines in a log,
// NDJSON for programs. An own renderer rather than a progress-bar package: `progress` has had
// no release since 2017, and cli-progress (like the others) draws only the terminal bar, while
// the CLI needs the same figures as plain lines without carriage returns in logs too. The
// bytes come from the server (`?include=bytes`: bytes read of the source, and its size), not
// from a stream the client reads, which is what the packages count; speed and ETA are smoothed
// from how fast those bytes move, or the percentage where the server sends no bytes.
import type { ApiTask } from './task.ts';

export interface ProgressView {
  /** The task as a poll answered it. */
  show(task: ApiTask): void;
  /** Following ended (the task ended, or Ctrl-C): leaves the output ready for the next line. */
  close(): void;
}

/** Where a running task is: bytes when the server sends them, otherwise percent. */
interface Position {
  unit: 'bytes' | 'percent';
  done: number;
  total: number;
}

function positionOf(task: ApiTask): Position | undefined {
  if (task.state !== 'running' || (task.progress ?? -1) < 0) return undefined;
  if (task.bytes_done !== undefined && task.bytes_total !== undefined) return { unit: 'bytes', done: task.bytes_done, total: task.bytes_total };
  return { unit: 'percent', done: task.progress!, total: 100 };
}

/** Units per second, smoothed so one fast or slow step does not swing the ETA. */
class RateMeter {
  private last: (Position & { at: number }) | undefined;
  private smoothed: number | undefined;
  private static readonly WEIGHT = 0.3;

  add(position: Position, at: number): void {
    if (this.last && this.last.unit !== position.unit) this.last = this.smoothed = undefined;
    if (this.last && position.done > this.last.done && at > this.last.at) {
      const instant = (position.done - this.last.done) / ((at - this.last.at) / 1000);
      this.smoothed = this.smoothed === undefined ? instant : RateMeter.WEIGHT * instant + (1 - RateMeter.WEIGHT) * this.smoothed;
    }
    if (!this.last || position.done !== this.last.done) this.last = { ...position, at };
  }

  /** Seconds until the end, once a rate is known. */
  etaSeconds(position: Position): number | undefined {
    return this.smoothed && this.smoothed > 0 ? Math.max(0, position.total - position.done) / this.smoothed : undefined;
  }

  get perSecond(): number | undefined {
    return this.smoothed;
  }
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB": one decimal from KiB up, as `ls -h` users read sizes. */
export function byteSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BINARY_UNITS[unit]}`;
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

const label = (kind: string, task: ApiTask) => `${kind} ${task.id} ${task.path}`;

/** The figures after the label, the same on a terminal and in plain lines. */
function figures(task: ApiTask, rate: RateMeter, now: number): string {
  if (task.state === 'waiting') return 'waiting for a worker';
  if (task.state !== 'running') return task.state;
  const elapsed = task.start === undefined ? '' : `${duration(now / 1000 - task.start)} elapsed`;
  const position = positionOf(task);
  if (!position) return `running, size unknown, ${elapsed}`;
  const speed = rate.perSecond;
  const eta = rate.etaSeconds(position);
  const bytes = position.unit === 'bytes';
  return [
    `${String(task.progress).padStart(2)}%`,
    bytes ? `${byteSize(position.done)} of ${byteSize(position.total)}` : undefined,
    speed === undefined ? undefined : bytes ? `${byteSize(speed)}/s` : `${speed.toFixed(1)}%/s`,
    elapsed,
    eta === undefined ? 'ETA --' : `ETA ${duration(eta)}`,
  ]
    .filter(Boolean)
    .join('  ');
}

/** One line on stderr, redrawn in place each second and on every answer. */
export class TerminalLine implements ProgressView {
  private task: ApiTask | undefined;
  private readonly rate = new RateMeter();
  private readonly timer: NodeJS.Timeout;
  private static readonly BAR = 10; // the whole line, bytes and all, fits 80 columns for a short path

  constructor(
    private readonly kind: string,
    private readonly out: NodeJS.WriteStream,
  ) {
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  show(task: ApiTask): void {
    this.task = task;
    const position = positionOf(task);
    if (position) this.rate.add(position, Date.now());
    this.draw();
  }

  close(): void {
    clearInterval(this.timer);
    this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    if (!this.task) return;
    const percent = this.task.state === 'running' ? (this.task.progress ?? -1) : -1;
    const filled = Math.round((Math.max(0, percent) / 100) * TerminalLine.BAR);
    const bar = percent >= 0 ? `[${'#'.repeat(filled)}${'-'.repeat(TerminalLine.BAR - filled)}] ` : '';
    const line = `${label(this.kind, this.task)} ${bar}${figures(this.task, this.rate, Date.now())}`;
    const width = this.out.columns || 80;
    this.out.write(`\r\x1b[2K${line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
  }
}

/** Lines for a log: on each change of state, each 5 % and otherwise at most every 5 s. */
export class PlainLines implements ProgressView {
  private readonly rate = new RateMeter();
  private last: { state: string; percent: number; at: number } | undefined;
  static readonly STEP_PERCENT = 5;
  static readonly EVERY_MS = 5000;

  constructor(
    private readonly kind: string,
    private readonly out: NodeJS.WritableStream,
  ) {}

  show(task: ApiTask): void {
    const now = Date.now();
    const percent = task.state === 'running' ? (task.progress ?? -1) : -1;
    const position = positionOf(task);
    if (position) this.rate.add(position, now);
    const last = this.last;
    const due =
      !last ||
      task.state !== last.state ||
      percent >= last.percent + PlainLines.STEP_PERCENT ||
      (percent !== last.percent && now - last.at >= PlainLines.EVERY_MS);
    if (!due || task.state === 'completed' || task.state === 'aborted') return; // the command reports the end
    this.last = { state: task.state, percent, at: now };
    this.out.write(`${label(this.kind, task)}: ${figures(task, this.rate, now)}\n`);
  }

  close(): void {}
}

/** `--json --events`: every answer about the task, one JSON object a line. */
export class JsonLines implements ProgressView {
  constructor(private readonly out: NodeJS.WritableStream) {}

  show(task: ApiTask): void {
    this.out.write(`${JSON.stringify(task)}\n`);
  }

  close(): void {}
}

export const silent: ProgressView = { show() {}, close() {} };
