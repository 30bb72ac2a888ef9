// Watching the commands an SDK client sends, for the benchmarks and tests that count table
// reads or time writes: one middleware, outside the retries (a retried command counts once),
// that reports each command that succeeded with its input and when it started and ended.
// The product itself never adds it.

export interface SentCommand {
  /** The SDK's command name, e.g. GetItemCommand. */
  name: string;
  input: Record<string, any>;
  startedAt: number;
  endedAt: number;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
    remove(name: string): boolean;
  };
}

/** Calls `seen` after every command the client completes, until the returned function is called. */
export function watchCommands(client: object, seen: (command: SentCommand) => void): () => void {
  const stack = (client as MiddlewareClient).middlewareStack;
  const name = `stevedoreWatchCommands${++watchers}`;
  stack.add(
    (next, context) => async (args) => {
      const startedAt = performance.now();
      const out = await next(args);
      seen({ name: context.commandName ?? '?', input: args.input as Record<string, any>, startedAt, endedAt: performance.now() });
      return out;
    },
    { step: 'initialize', name },
  );
  return () => void stack.remove(name);
}
let watchers = 0;

/** Table reads of the long poll, told apart: change-counter reads and task queries of one kind. */
export function countPollReads(client: object, kind: 'export' | 'import') {
  const counts = { counterReads: 0, taskQueries: 0 };
  const stop = watchCommands(client, ({ name, input }) => {
    if (name === 'GetItemCommand' && attribute(input.Key?.sk) === `changes#${kind}`) counts.counterReads++;
    if (name === 'QueryCommand' && attribute(input.ExpressionAttributeValues?.[':pk']) === `TASK#${kind}` && String(input.FilterExpression ?? '').includes('changeSeq')) counts.taskQueries++;
  });
  return { counts, stop };
}

/** A string attribute as the document client (plain) or the base client (`{ S }`) carries it. */
function attribute(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'S' in value ? (value as { S: unknown }).S : value;
}
