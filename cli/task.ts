// A task as the API shows it (the spec's GET /api/v1/export/ fields), as far as the CLI reads it.
export type TaskKind = 'export' | 'import';
export const TASK_KINDS: readonly TaskKind[] = ['export', 'import'];

export interface ApiTask {
  id: number;
  state: 'waiting' | 'running' | 'completed' | 'aborted';
  type: string;
  cid: string;
  cname: string;
  path: string;
  user: string;
  init: number;
  start?: number;
  end?: number;
  /** While running: -1 (size unknown) or 0..99. */
  progress?: number;
  /** While running, when the server knows the size (asked for with `?include=bytes`). */
  bytes_done?: number;
  bytes_total?: number;
  result?: number;
  error?: string;
  warnings?: string[];
}

export const hasEnded = (task: ApiTask) => task.state === 'completed' || task.state === 'aborted';
