// Device nodes and fifos, which node cannot make (it has no mknod(2) or mkfifo(3)), made by
// coreutils' `mknod` and `mkfifo`. The child gets the directory we hold open as its fd 3 and
// names the new node `/proc/self/fd/3/<name>`: it is made inside that very directory, as every
// other write of an import is, never at a path looked up again from the top.
import { spawn } from 'node:child_process';
import type { DirectoryHandle } from './directory-handle.ts';

export type DeviceKind = 'character' | 'block';

/** Mode of the new node until its metadata is set: nobody but its owner may open it meanwhile. */
const CREATION_MODE = '0600';

export function makeDeviceNode(dir: DirectoryHandle, name: string, kind: DeviceKind, major: number, minor: number): Promise<void> {
  return runInside(dir, 'mknod', ['-m', CREATION_MODE, '--', insideFd3(name), kind === 'character' ? 'c' : 'b', String(major), String(minor)]);
}

export function makeFifo(dir: DirectoryHandle, name: string): Promise<void> {
  return runInside(dir, 'mkfifo', ['-m', CREATION_MODE, '--', insideFd3(name)]);
}

const insideFd3 = (name: string) => `/proc/self/fd/3/${name}`;

/** Runs the tool with `dir` as its fd 3; rejects with what the tool said when it fails. */
function runInside(dir: DirectoryHandle, command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', dir.fd] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 1000) stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const said = stderr.trim().replace(/^[^:]+: /, '').replace(/\/proc\/self\/fd\/3\//g, '');
      reject(new Error(said || `${command} ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}
