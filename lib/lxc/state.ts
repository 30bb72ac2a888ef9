// Whether an LXC container runs, from `lxc-info` where LXC's tools are installed. LXC records
// no running state on disk (a running container is known to its monitor process, which
// lxc-info asks over its socket), so without the tools every container counts as stopped.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type LxcState = 'running' | 'stopped';

export async function lxcState(lxcPath: string, name: string): Promise<LxcState> {
  try {
    const { stdout } = await run('lxc-info', ['-P', lxcPath, '-n', name, '-s', '-H'], { timeout: 10_000 });
    return stdout.trim() === 'RUNNING' ? 'running' : 'stopped';
  } catch {
    // No LXC tools on this host, or a config lxc-info cannot read: neither makes it run, and
    // one broken container must not fail the listing of all of them.
    return 'stopped';
  }
}

/** Stops a running container at once (as `docker rm -f` does), where LXC's tools exist. */
export async function stopLxcContainer(lxcPath: string, name: string): Promise<void> {
  await run('lxc-stop', ['-P', lxcPath, '-n', name, '-k'], { timeout: 30_000 });
}
