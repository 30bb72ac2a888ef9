// Directories named after the process that made them (`<prefix><pid>-...`), so that a process
// killed before it could remove its own leaves nothing for good: the next one removes it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './process-alive.ts';

/** A new directory under `parent`, named after this process. */
export function makeProcessDir(parent: string, prefix: string): string {
  return mkdtempSync(join(parent, `${prefix}${process.pid}-`));
}

/** Removes the directories under `parent` made by processes that are gone. */
export function removeDirsOfGoneProcesses(parent: string, prefix: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}
