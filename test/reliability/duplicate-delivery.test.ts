// Duplicate delivery: a stream source delivers at least once. Two workers read the same stream,
// and each hands every batch to the worker twice, the second time in reverse order (the poller's
// test aid `redeliverReversed`): every task is still run by exactly one worker, once.
import { afterAll, describe, expect, it } from 'vitest';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { RuntimeRegistry } from '../../lib/runtimes/registry.ts';
import type { Container, ContainerRuntime } from '../../lib/runtimes/runtime.ts';
import type { ComposedServices } from '../../lib/services.ts';
import { handleTaskStream, isNewWaitingTask } from '../../lib/worker/stream.ts';
import { call, waitForTask } from '../support/api.ts';
import { useTestStack } from '../support/stack.ts';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';

const stack = useTestStack();
const pollers: StreamPoller[] = [];
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
});

/** The stack's services with a runtime that counts, per container, how often an export read it. */
function countingServices(services: ComposedServices, exportsOf: Map<string, number>): ComposedServices {
  const inner = services.builtinRuntime as ContainerRuntime;
  const runtime: ContainerRuntime = Object.assign(Object.create(inner) as ContainerRuntime, {
    find: async (...args: Parameters<ContainerRuntime['find']>): Promise<Container | undefined> => {
      const container = await inner.find(...args);
      if (!container) return undefined;
      return {
        ...container,
        exportRootfs: (signal?: AbortSignal) => {
          exportsOf.set(container.summary.id, (exportsOf.get(container.summary.id) ?? 0) + 1);
          return container.exportRootfs(signal);
        },
      };
    },
  });
  return Object.create(services, { runtimes: { value: new RuntimeRegistry([runtime]) } }) as ComposedServices;
}

describe('a task delivered twice, out of order, to two workers', () => {
  it('is run by exactly one worker, once, and each task has one running and one completed event', async () => {
    // Prepare: five exports waiting on the stream before any worker reads it.
    await provisionDemoImage(stack.services.builtinRuntime);
    const ids: number[] = [];
    const containers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: `dup${i}`, image: 'demo', tag: 'latest' });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      containers.push(created.body.id);
      const task = await call(stack.url, 'POST', `/api/v1/container/lxc/${created.body.id}/export`, { path: `test/dup${i}.tar` });
      expect(task.status, JSON.stringify(task.body)).toBe(200);
      ids.push(task.body.id);
    }
    const exportsOf = new Map<string, number>();
    const services = countingServices(stack.services, exportsOf);
    // Act: two workers, each delivering every batch twice.
    for (const hostId of ['worker-a', 'worker-b']) {
      const poller = new StreamPoller({
        tableName: stack.cfg.tableName,
        aws: stack.aws,
        handler: (event) => handleTaskStream(services, event, { hostId }),
        filter: isNewWaitingTask,
        batchSize: 10,
        idleDelayMs: 50,
        redeliverReversed: true,
      });
      pollers.push(poller);
    }
    await Promise.all(pollers.map((p) => p.start()));
    const done = await Promise.all(ids.map((id) => waitForTask(stack.url, 'export', id)));
    // Give the duplicates still on their way the time to arrive and be refused.
    for (const deadline = Date.now() + 10_000; !pollers.every((p) => p.idle) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const events = JSON.stringify((await call(stack.url, 'GET', '/api/v1/event')).body);
    // Assess
    expect(done.map((t) => t.state)).toEqual(ids.map(() => 'completed'));
    expect(containers.map((c) => exportsOf.get(c))).toEqual(containers.map(() => 1));
    for (const id of ids) {
      const states = [...events.matchAll(new RegExp(`\\\\"state\\\\": \\\\"(\\w+)\\\\", \\\\"tid\\\\": ${id}\\b`, 'g'))].map((m) => m[1]);
      expect(states.sort(), `events of export ${id}: ${events}`).toEqual(['completed', 'running']);
    }
  });
});
