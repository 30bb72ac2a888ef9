// Export and import tasks: what is stored, and what a client sees of it. The API view
// follows COMPAT.md's field-by-state rules: waiting has no start/progress; running has start
// and progress (-1 or 0..99); completed/aborted have start, end, result and no progress.
import type { CreateParams } from '../container/schema.ts';
import type { PendingWrite } from '../share/share-storage.ts';
import { sortKeysDeep } from '../sorted-json.ts';

export type TaskKind = 'export' | 'import';
export type TaskState = 'waiting' | 'running' | 'completed' | 'aborted';
export const TASK_KINDS: readonly TaskKind[] = ['export', 'import'];

/** Result codes of finished tasks. */
export const RESULT_OK = 0;
export const RESULT_FAILED = 1;

/** A task as the task store keeps it. Fields without a client meaning are marked internal. */
export interface TaskRecord {
  kind: TaskKind;
  id: number;
  state: TaskState;
  type: 'lxc' | 'docker';
  cid: string;
  cname: string;
  user: string;
  /** Share path with its leading "/", as the API shows it. */
  path: string;
  /**
   * Internal: the same path as the checked segments the request parsed (share folder first),
   * so the worker never parses a path again. Tasks stored before it existed have only `path`.
   */
  segments?: string[];
  init: number;
  start?: number;
  end?: number;
  progress?: number;
  /** Running tasks: how much of the source was read, and of how much, when the runtime knows it. */
  bytesDone?: number;
  bytesTotal?: number;
  result?: number;
  error?: string;
  /** Export only. */
  compress?: boolean;
  /** Export only: replace an existing file (internal). */
  force?: boolean;
  /** Import only. */
  image?: string;
  create_params?: CreateParams;
  /** Non-fatal findings (skipped archive entries), shown to clients. */
  warnings?: string[];
  /** Internal: the worker that claimed the task and until when its claim holds (epoch ms). */
  owner?: string;
  leaseUntil?: number;
  /** Internal: how many times a worker claimed the task. */
  attempts?: number;
  /** Internal: change-counter value of the last change long polls report: claim, progress, end. */
  changeSeq?: number;
  /**
   * Internal: changeSeq before the last change. A poll that reads the task reads that change
   * too (overwritten by a newer one), so it need not wait for it as for a write still landing.
   */
  prevChangeSeq?: number;
  /** Internal: the export's pending write while it runs, so whoever ends the task can abandon it. */
  upload?: PendingWrite;
  /** Internal: key of the reservation this task holds until it finishes. */
  reservation?: string;
  /** Internal: what the task reads or writes, which nobody may delete until it finishes. */
  uses?: string[];
  expiresAt?: number;
}

const CLIENT_FIELDS_BY_STATE: Record<TaskState, readonly string[]> = {
  waiting: [],
  running: ['start', 'progress'],
  completed: ['start', 'end', 'result'],
  aborted: ['start', 'end', 'result', 'error'],
};

const ALWAYS = ['cid', 'cname', 'id', 'init', 'path', 'state', 'type', 'user'] as const;

/** What a progress write records: the percentage, and the bytes behind it when they are known. */
export interface TaskProgress {
  percent: number;
  bytes?: { done: number; total: number };
}

/** Fields beyond the original API's, shown only to clients that ask for them. */
export interface TaskViewOptions {
  /** Running tasks with a known size add `bytes_done` and `bytes_total`. */
  bytes?: boolean;
}

/** The task as the API shows it, keys sorted like the spec's examples. */
export function toApiTask(task: TaskRecord, options: TaskViewOptions = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const key of ALWAYS) view[key] = task[key];
  if (task.kind === 'export') view.compress = task.compress ?? false;
  if (task.kind === 'import') {
    view.image = task.image;
    view.create_params = task.create_params ?? {};
  }
  for (const key of CLIENT_FIELDS_BY_STATE[task.state]) {
    const value = task[key as keyof TaskRecord];
    if (value !== undefined) view[key] = value;
  }
  if (task.state === 'running' && view.progress === undefined) view.progress = -1;
  if (options.bytes && task.state === 'running' && task.bytesTotal !== undefined && (task.progress ?? -1) >= 0) {
    view.bytes_done = task.bytesDone ?? 0;
    view.bytes_total = task.bytesTotal;
  }
  if (task.warnings && task.warnings.length > 0) view.warnings = task.warnings;
  return sortKeysDeep(view);
}

/** Progress as a percentage that never reaches 100 while running. */
export function progressPercent(done: number, total: number): number {
  if (!(total > 0)) return -1;
  return Math.max(0, Math.min(99, Math.floor((done * 100) / total)));
}

export const epochSeconds = (ms = Date.now()) => Math.floor(ms / 1000);
