// The share path a task reads or writes, from the segments its request checked. Resolving them
// again finds the share folder's current configuration (a folder since removed is a missing path).
import type { ShareFolderConfig } from '../config.ts';
import { resolveSharePath, type SharePath } from '../share/paths.ts';
import type { TaskRecord } from '../tasks/model.ts';

export function taskSharePath(task: Pick<TaskRecord, 'path' | 'segments'>, folders: readonly ShareFolderConfig[]): SharePath {
  // Tasks stored before segments were recorded hold only the API path, built from checked segments.
  return resolveSharePath(task.segments ?? task.path.slice(1).split('/'), folders);
}
