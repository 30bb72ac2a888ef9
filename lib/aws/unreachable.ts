// A backend that cannot be reached is the domain's Unavailable (a 503 in the API's envelope, a
// task aborted with a message), not a fault: every SDK client gets one middleware, outside its
// retries, that turns a failure to connect into Unavailable naming the service and the cause.
// Answers of the service (a failed condition, a missing key) pass through as they are.
//
// A backend that hangs (its socket silent for the idle timeout, or no connection within the
// connect timeout) is not asked again by the same call: five attempts would hold an API request
// for five timeouts, past the long poll's bound. A second middleware, inside the retries, gives
// such a failure a name the SDK does not retry.
import { Unavailable } from '../errors.ts';
import { CONNECTION_FAILURES } from '../network-errors.ts';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK's name for its own timeouts; it retries them. */
const SDK_TIMEOUT = 'TimeoutError';
/** The same timeout once it passed the retries' middleware: not retried. */
const HUNG = 'BackendHung';

/**
 * The SDK's idle or connect timer ran out. The SDK names a reset socket (ECONNRESET, EPIPE: a
 * server that closed an idle connection) a TimeoutError too, and that one is worth retrying;
 * its own timers set no code.
 */
const isTimerTimeout = (e: SdkError | undefined) => e?.name === SDK_TIMEOUT && e.code === undefined;

/** Whether the request never got an answer: a socket error, or a timeout of the SDK's own. */
export function isUnreachable(err: unknown): boolean {
  const e = err as SdkError;
  if (e?.$metadata?.httpStatusCode !== undefined) return false;
  return (e?.code !== undefined && CONNECTION_FAILURES.has(e.code)) || e?.name === SDK_TIMEOUT || e?.name === HUNG;
}

/** The Unavailable of a backend that cannot be reached, naming it, where it is and why. */
export function unreachableBackend(service: string, endpoint: string | undefined, why: string): Unavailable {
  return new Unavailable(`${service}${endpoint ? ` at ${endpoint}` : ''} cannot be reached (${why})`);
}

interface MiddlewareClient {
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize' | 'deserialize'; name: string }): void;
  };
}

export function reportUnreachable<C extends object>(client: C, service: string, endpoint: string | undefined): C {
  const stack = (client as unknown as MiddlewareClient).middlewareStack;
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as SdkError;
        if (!isTimerTimeout(e) || e.$metadata?.httpStatusCode !== undefined) throw err;
        // No `cause`: the SDK would find the timeout in it and retry after all.
        throw Object.assign(new Error(e.message), { name: HUNG });
      }
    },
    { step: 'deserialize', name: 'stevedoreNoRetryOfHang' },
  );
  const unavailable = (err: SdkError, reading = '') =>
    unreachableBackend(service, endpoint, `${reading}${err.name === HUNG || isTimerTimeout(err) ? 'it stopped answering' : (err.code ?? err.name)}`);
  stack.add(
    (next) => async (args) => {
      let result: unknown;
      try {
        result = await next(args);
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        throw unavailable(err as SdkError);
      }
      const body = (result as { output?: { Body?: unknown } })?.output?.Body;
      if (isNodeStream(body)) failAsUnavailable(body, (err) => unavailable(err, 'while its answer was read: '));
      return result;
    },
    { step: 'initialize', name: 'stevedoreReportUnreachable' },
  );
  return client;
}

interface NodeStream {
  destroy(err?: Error): unknown;
}

const isNodeStream = (body: unknown): body is NodeStream => typeof (body as NodeStream | undefined)?.destroy === 'function';

/**
 * A streamed answer (GetObject's body) outlives the call: its connection may break while the
 * caller reads it, long after the middleware returned. Node ends such a body through its
 * `destroy(error)` (an `aborted` reset, the SDK's idle timeout), so that is where the error is
 * turned into Unavailable, on the same object: the SDK's helpers on it stay.
 */
function failAsUnavailable(body: NodeStream, unavailable: (err: SdkError) => Error): void {
  const destroy = body.destroy.bind(body);
  body.destroy = (err?: Error) => destroy(err !== undefined && isUnreachable(err) ? unavailable(err as SdkError) : err);
}
