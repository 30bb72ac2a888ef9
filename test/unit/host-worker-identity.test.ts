// Which running tasks a starting host worker may abort as left by a killed one: claims of its own
// machine whose process is gone, never its own, another machine's (even one whose name starts
// with this one's), nor one of a live process.
import { describe, expect, it } from 'vitest';
import { isClaimOfDeadHostWorker, newHostWorkerId } from '../../infra/local/host-worker-identity.ts';

const UUID = '0b6a3f3e-8d1c-4c55-9a43-6f1f2b7d9e10';
const DEAD_PID = 2 ** 22 + 17; // above Linux's pid_max limit: no process has it

describe('a claim of a dead host worker', () => {
  it('is one of this machine whose pid no process has', () => {
    expect(isClaimOfDeadHostWorker(`vm-${DEAD_PID}-${UUID}:${UUID}`, 'vm', newHostWorkerId('vm'))).toBe(true);
  });

  it('is not one of a live process, this very worker, another machine, or an owner of another form', () => {
    const self = newHostWorkerId('vm');
    expect(isClaimOfDeadHostWorker(`vm-1-${UUID}:${UUID}`, 'vm', self)).toBe(false); // pid 1 lives
    expect(isClaimOfDeadHostWorker(`${self}:${UUID}`, 'vm', self)).toBe(false);
    expect(isClaimOfDeadHostWorker(`vm-2-${DEAD_PID}-${UUID}:${UUID}`, 'vm', self)).toBe(false); // machine "vm-2"
    expect(isClaimOfDeadHostWorker(`vm-${UUID}:${UUID}`, 'vm', self)).toBe(false); // an older worker: left to the lease
    expect(isClaimOfDeadHostWorker(`local-${UUID}:${UUID}`, 'vm', self)).toBe(false);
    expect(isClaimOfDeadHostWorker(undefined, 'vm', self)).toBe(false);
  });
});
