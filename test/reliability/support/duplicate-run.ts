// Duplicate delivery: a stream source delivers at least once. Two workers read the same stream,
// and each hands every batch to the worker twice, the second time in reverse order (the poller's
// test aid `redeliverReversed`). What must hold: every task completes, each container was read
// by exactly one export, and each task has exactly one `running` and one `completed` event.
// A round may run again on the same stack: its workers then meet every earlier round's tasks
// again too, and must leave them alone. Nothing here uses vitest, so the soak runs it too.
import { provisionDemoImage } from '../../../infra/local/demo-image.ts';
import { StreamPoller } from '../../../infra/local/stream-poller.ts';
import { RuntimeRegistry } from '../../../lib/runtimes/registry.ts';
import type { Container, ContainerRuntime } from '../../../lib/runtimes/runtime.ts';
import type { ComposedServices } from '../../../lib/services.ts';
import { handleTaskStream, isNewWaitingTask } from '../../../lib/worker/stream.ts';
import { call, waitForTask } from '../../support/api.ts';
import type { TestStack } from '../../support/stack-start.ts';

export interface DuplicateOutcome {
  tasks: number;
  problems: string[];
}

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

/** Every event message of the log, newest first, read page by page from one anchor. */
async function allEvents(base: string): Promise<string[]> {
  const messages: string[] = [];
  let page = (await call(base, 'GET', '/api/v1/event')).body as { index: number; offset: number; messages: string[] };
  const index = page.index;
  while (page.messages.length > 0) {
    messages.push(...page.messages);
    page = (await call(base, 'GET', `/api/v1/event?index=${index}&offset=${page.offset}`)).body;
  }
  return messages;
}

/** `tasks` exports waiting on the stream before two redelivering workers read it; containers are named `<name>N`. */
export async function runDuplicateDelivery(stack: TestStack, options: { tasks: number; name: string }): Promise<DuplicateOutcome> {
  const problems: string[] = [];
  await provisionDemoImage(stack.services.builtinRuntime);
  const ids: number[] = [];
  const containers: string[] = [];
  for (let i = 0; i < options.tasks; i++) {
    const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: `${options.name}${i}`, image: 'demo', tag: 'latest' });
    if (created.status !== 200) throw new Error(`container ${options.name}${i} was not made: ${created.status} ${JSON.stringify(created.body)}`);
    containers.push(created.body.id);
    const task = await call(stack.url, 'POST', `/api/v1/container/lxc/${created.body.id}/export`, { path: `test/${options.name}${i}.tar` });
    if (task.status !== 200) throw new Error(`the export of ${options.name}${i} answered ${task.status}: ${JSON.stringify(task.body)}`);
    ids.push(task.body.id);
  }
  const exportsOf = new Map<string, number>();
  const services = countingServices(stack.services, exportsOf);
  const pollers = ['worker-a', 'worker-b'].map(
    (hostId) =>
      new StreamPoller({
        tableName: stack.cfg.tableName,
        aws: stack.aws,
        handler: (event) => handleTaskStream(services, event, { hostId }),
        filter: isNewWaitingTask,
        batchSize: 10,
        idleDelayMs: 50,
        redeliverReversed: true,
      }),
  );
  try {
    await Promise.all(pollers.map((p) => p.start()));
    const done = await Promise.all(ids.map((id) => waitForTask(stack.url, 'export', id, 60_000)));
    // Give the duplicates still on their way the time to arrive and be refused.
    for (const deadline = Date.now() + 10_000; !pollers.every((p) => p.idle) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    done.forEach((task, i) => {
      if (task.state !== 'completed') problems.push(`export ${ids[i]} ended ${task.state}: ${task.error ?? ''}`);
    });
    containers.forEach((id) => {
      if (exportsOf.get(id) !== 1) problems.push(`container ${id} was read by ${exportsOf.get(id) ?? 0} exports`);
    });
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
  }
  const events = await allEvents(stack.url);
  for (const id of ids) {
    const states = events.filter((m) => m.startsWith('export:') && new RegExp(`"tid": ${id}\\b`).test(m)).map((m) => /"state": "(\w+)"/.exec(m)?.[1]);
    if (JSON.stringify(states.sort()) !== JSON.stringify(['completed', 'running'])) problems.push(`export ${id} has the events ${JSON.stringify(states)}`);
  }
  return { tasks: ids.length, problems };
}
