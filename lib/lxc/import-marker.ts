// Which task's import made a container directory: `<container>/.stevedore-import`, the task's
// claim as JSON, written in staging before the rename so that no container of an import is ever
// in place without it. It stays for good (LXC ignores the file, and export walks only the root
// filesystem): a container is garbage only when its claim is that of a task being aborted because
// its worker died, never for having a marker, so a completed import's container is safe whatever
// moment the worker died at.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportClaim } from '../runtimes/runtime.ts';

const MARKER = '.stevedore-import';

export async function writeImportMarker(directory: string, claim: ImportClaim): Promise<void> {
  await writeFile(join(directory, MARKER), JSON.stringify({ task: claim.task, owner: claim.owner }), { mode: 0o600 });
}

/** The claim of the import that made a container directory; undefined for any other (lxc-create's, a create's, an unreadable marker). */
export async function readImportMarker(directory: string): Promise<ImportClaim | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, MARKER), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ImportClaim>;
    return typeof parsed.task === 'number' && typeof parsed.owner === 'string' ? { task: parsed.task, owner: parsed.owner } : undefined;
  } catch {
    return undefined;
  }
}
