// A backend that cannot be reached is the domain's Unavailable (a 503 in the API's envelope, a
// task aborted with a message), not a fault: every SDK client gets one middleware, outside its
// retries, that turns a failure to connect into Unavailable naming the service and the cause.
// Answers of the service (a failed condition, a missing key) pass through as they are.
import { Unavailable } from '../errors.ts';
import { CONNECTION_FAILURES } from '../network-errors.ts';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Whether the request never got an answer: a socket error, or a timeout of the SDK's own. */
export function isUnreachable(err: unknown): boolean {
  const e = err as SdkError;
  if (e?.$metadata?.httpStatusCode !== undefined) return false;
  return (e?.code !== undefined && CONNECTION_FAILURES.has(e.code)) || e?.name === 'TimeoutError';
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string }): void };
}

export function reportUnreachable<C extends object>(client: C, service: string, endpoint: string | undefined): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        const e = err as SdkError;
        throw new Unavailable(`${service}${endpoint ? ` at ${endpoint}` : ''} cannot be reached (${e.code ?? e.name})`);
      }
    },
    { step: 'initialize', name: 'stevedoreReportUnreachable' },
  );
  return client;
}
