// The API's error envelope: {"error":{"code":N,"message":"..."}} with the same HTTP status.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const notFound = (message: string) => new ApiError(404, message);

export interface ErrorEnvelope {
  error: { code: number; message: string };
}

export function envelope(status: number, message: string): ErrorEnvelope {
  return { error: { code: status, message } };
}
