// The API's error envelope: {"error":{"code":N,"message":"..."}} with the same HTTP status,
// and the one place that decides which status each kind of domain error answers.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorEnvelope } from './error-envelope-schema.ts';
import { DomainError, NotFound, ReadOnly, TooManyAttempts, Unauthenticated, Unavailable } from '../errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** For what only the HTTP edge can find wrong (a request target, a body that is not JSON). */
export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = (message: string) => new ApiError(404, message);

export type { ErrorEnvelope } from './error-envelope-schema.ts';

export function envelope(status: number, message: string): ErrorEnvelope {
  return { error: { code: status, message } };
}

/**
 * The status of an error meant for the client, or undefined for anything else (a fault: 500).
 * The API answers 400 for every refused request that is not a missing thing, a read-only
 * folder, a missing login or a throttled one (COMPAT.md lists no 409), so a name taken or a path in use is a 400 too.
 */
export function statusOf(err: unknown): ContentfulStatusCode | undefined {
  if (err instanceof ApiError) return err.status;
  if (!(err instanceof DomainError)) return undefined;
  if (err instanceof NotFound) return 404;
  if (err instanceof ReadOnly) return 403;
  if (err instanceof Unauthenticated) return 401;
  if (err instanceof TooManyAttempts) return 429;
  if (err instanceof Unavailable) return 503;
  return 400; // InvalidInput (and MissingPath), NameTaken, InUse
}
