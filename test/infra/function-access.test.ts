// Each function's IAM grants come from its manifest entry's `access`, and what it touches comes
// from the adapters its module is composed of: the two must agree, or a deployed function is
// refused by IAM (or holds a grant it never uses).
import { describe, expect, it } from 'vitest';
import { manifest } from '../../functions/routes.ts';
import { SWEEP_ACCESS } from '../../infra/aws/task-sweep.ts';
import { WORKER_ACCESS } from '../../infra/aws/task-worker.ts';
import { loadFunctions } from '../../infra/local/server.ts';
import { adapters as sweepAdapters } from '../../functions/worker/sweep.ts';
import { adapters as workerAdapters } from '../../functions/worker/tasks.ts';
import type { PortName } from '../../lib/compose/compose.ts';
import type { RouteAccess } from '../../lib/http/route.ts';

/**
 * What each port's adapter always reads (the task store, the event log, the auth store and the
 * built-in runtime keep their records in the table; every HTTP function's session gate reads the
 * auth store), and what it may touch besides: the built-in runtime's root filesystems are bucket
 * objects, which only some of its operations (create, remove) touch.
 */
const ALWAYS: Record<PortName, keyof RouteAccess> = { tasks: 'table', events: 'table', runtimes: 'table', storage: 'bucket', auth: 'table' };
const SOMETIMES: Partial<Record<PortName, keyof RouteAccess>> = { runtimes: 'bucket' };

function problems(name: string, ports: readonly PortName[], access: RouteAccess): string[] {
  const needed = new Set(ports.map((port) => ALWAYS[port]));
  const allowed = new Set([...needed, ...ports.flatMap((port) => SOMETIMES[port] ?? [])]);
  const found: string[] = [];
  for (const resource of ['table', 'bucket'] as const) {
    if (needed.has(resource) && !access[resource]) found.push(`${name} uses the ${resource} without access to it`);
    if (!allowed.has(resource) && access[resource]) found.push(`${name} has access to the ${resource} it never uses`);
  }
  // The engine runtime's placement (VPC, TLS secret) follows `engine`, so it must name exactly the runtime users.
  const usesRuntimes = ports.includes('runtimes');
  if (usesRuntimes && !access.engine) found.push(`${name} uses the runtimes without engine access`);
  if (!usesRuntimes && access.engine) found.push(`${name} has engine access it never uses`);
  return found;
}

describe('the access of every function', () => {
  it('matches the adapters each HTTP function is composed of', async () => {
    const functions = await loadFunctions();
    expect(functions.map((fn) => fn.route.name)).toEqual(manifest.map((route) => route.name));
    expect(functions.flatMap((fn) => problems(fn.route.name, fn.ports, fn.route.access))).toEqual([]);
  });

  it('lets the stream worker and the sweep reach what they touch', () => {
    const ports = (adapters: object) => Object.keys(adapters) as PortName[];
    expect(problems('worker-tasks', ports(workerAdapters), WORKER_ACCESS)).toEqual([]);
    expect(problems('worker-sweep', ports(sweepAdapters), SWEEP_ACCESS)).toEqual([]);
  });
});
