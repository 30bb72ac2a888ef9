// The CLI's one way to the server: stevedore's HTTP API under <url>/api/v1, with the session
// cookie of the session file, answers parsed as JSON and error envelopes turned into
// RequestRefused. It knows nothing of the server's code, only of the wire format.
import { RequestRefused, ServerUnreachable } from './errors.ts';
import type { SessionFile } from './session-file.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
/** Ordinary calls answer at once; a long poll answers within its bound (at most 26 s). */
const REQUEST_TIMEOUT_MS = 60_000;

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** An object is sent as JSON; a URLSearchParams as a form. */
  body?: unknown;
  signal?: AbortSignal;
}

/** `--url`, else STEVEDORE_URL, else the address `npm start` serves on; without a trailing `/api/v1`. */
export function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = given || env.STEVEDORE_URL || DEFAULT_URL;
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

export class ApiClient {
  constructor(
    readonly server: string,
    private readonly sessions: SessionFile,
  ) {}

  async call<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const url = new URL(`${this.server}/api/v1${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    const cookie = await this.sessions.cookieFor(this.server);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.body instanceof URLSearchParams) {
      body = options.body.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ServerUnreachable(this.server, reasonOf(err));
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the status line below says what happened.
    }
    if (!response.ok) throw new RequestRefused(response.status, refusalMessage(response, parsed, path));
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

function refusalMessage(response: Response, body: unknown, path: string): string {
  const envelope = (body as { error?: { message?: unknown } } | undefined)?.error;
  const message = typeof envelope?.message === 'string' ? envelope.message : `HTTP ${response.status} ${response.statusText}`;
  // A refused login says why itself; any other 401 means the session is missing or over.
  return response.status === 401 && path !== '/login' ? `${message} (log in with: stevedore login <user>)` : message;
}

/** fetch hides the socket's error under `cause`: ECONNREFUSED, ENOTFOUND, a timeout. */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((err as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.message ?? (err as Error).message;
}
