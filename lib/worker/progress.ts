// Progress of a running task, written to the table at most about every 1 % and never more
// often than every 500 ms (the latest value once the 500 ms are over), with a lease heartbeat in between so a slow but live worker keeps
// its claim. A failed write (the task is no longer ours) or the host's shutdown cancels the
// work through `signal`.
import type { PendingWrite } from '../share/share-storage.ts';
import { progressPercent, type TaskProgress, type TaskRecord } from '../tasks/model.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import { interruptedMessage } from './abandon.ts';
import { TaskFailure } from './failure.ts';

const MIN_WRITE_INTERVAL_MS = 500;

export class ProgressReporter {
  private readonly controller = new AbortController();
  private lastWritten = 0;
  private lastWriteAt = 0;
  private pending: TaskProgress | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: TaskStore,
    private readonly task: TaskRecord,
    private readonly owner: string,
    /** The worker host's shutdown; its reason says why, e.g. "stopped (SIGTERM)". */
    private readonly shutdown?: AbortSignal,
  ) {
    this.heartbeat = setInterval(() => this.enqueue(() => this.store.renewLease(this.task, this.owner)), this.store.leaseMs / 3);
    this.heartbeat.unref();
    shutdown?.addEventListener('abort', this.stopForShutdown, { once: true });
    if (shutdown?.aborted) this.stopForShutdown();
  }

  /** Aborted when the task was taken away from this worker, or its host is stopping. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * What to call with the bytes read so far, against a runtime's estimate of the size: one it
   * knew at once, or one it finds while the export runs, which counts from the first bytes read
   * after it came (until then, and if it never comes, the task stays at 0). None: progress -1.
   */
  countAgainst(estimate: number | Promise<number | undefined> | undefined): (bytesRead: number) => void {
    if (estimate === undefined) {
      this.totalUnknown();
      return () => undefined;
    }
    let total = typeof estimate === 'number' ? estimate : undefined;
    if (typeof estimate !== 'number') void estimate.then((bytes) => (total = bytes));
    return (bytesRead) => {
      if (total !== undefined) this.update(bytesRead, total);
    };
  }

  /** The runtime cannot tell the size: the task shows progress -1 until it ends. */
  totalUnknown(): void {
    this.lastWritten = Number.POSITIVE_INFINITY;
    this.enqueue(() => this.store.reportProgress(this.task, this.owner, { percent: -1 }));
  }

  /** `done` of `total` bytes read; a write follows when the percentage moved. */
  update(done: number, total: number): void {
    const percent = progressPercent(done, total);
    if (percent <= this.lastWritten) return;
    // An engine's size is an estimate; past it, the source is at least as big as what was read.
    this.pending = { percent, bytes: { done, total: Math.max(total, done) } };
    const wait = this.lastWriteAt + MIN_WRITE_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.flush();
    // The latest value is written when the interval is over, even if the source then stalls
    // (an engine that pauses, the last bytes of a small export) and no update follows.
    this.trailing ??= setTimeout(() => {
      this.trailing = undefined;
      this.flush();
    }, wait);
    this.trailing.unref();
  }

  /**
   * The fence before a result becomes visible: renews the lease with a write that fails once
   * the sweep (or anyone) took the task, and then throws, so a worker that was too slow
   * writes nothing over a newer task's work.
   */
  async confirmOwnership(): Promise<void> {
    await this.writing;
    if (this.controller.signal.aborted || !(await this.store.renewLease(this.task, this.owner))) {
      throw new TaskFailure('The task was taken over while it ran (its lease expired); nothing was written');
    }
  }

  /** Records the task's pending write, so that it can be abandoned if this worker dies. */
  async recordPendingWrite(write: PendingWrite): Promise<void> {
    if (!(await this.store.recordPendingWrite(this.task, this.owner, write))) this.controller.abort(new Error('The task was taken over: its lease expired'));
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  /** Waits for writes in flight; call before finishing the task. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    clearTimeout(this.trailing);
    this.shutdown?.removeEventListener('abort', this.stopForShutdown);
    await this.writing;
  }

  private readonly stopForShutdown = (): void => {
    this.controller.abort(new TaskFailure(interruptedMessage(String(this.shutdown?.reason), this.task.kind)));
  };

  private flush(): void {
    const progress = this.pending;
    if (progress === undefined) return;
    this.pending = undefined;
    this.lastWritten = progress.percent;
    this.lastWriteAt = Date.now();
    this.enqueue(() => this.store.reportProgress(this.task, this.owner, progress));
  }

  private enqueue(write: () => Promise<boolean>): void {
    this.writing = this.writing.then(async () => {
      if (this.controller.signal.aborted) return;
      try {
        if (!(await write())) this.controller.abort(new Error('The task was taken over: its lease expired'));
      } catch {
        // A lost progress write is not worth failing an export for; the next one will do.
      }
    });
  }
}
