// The shape of one entry of the route manifest (functions/routes.ts). The local server, the
// Lambda entry points and the CDK app all derive their routing from these entries.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a function touches; the CDK app turns this into least-privilege IAM grants. */
export interface RouteAccess {
  table?: 'read' | 'write';
  bucket?: 'read' | 'write';
  /**
   * Reaches the container engines (its module is composed with the runtimes port). Where the
   * stack is deployed with the Docker Engine runtime, such a function runs in the engine's VPC
   * and may read the engine's TLS secret; no other function can.
   */
  engine?: true;
}

export interface RouteDefinition {
  /** Stable identifier: the Lambda function's logical name. */
  name: string;
  method: HttpMethod;
  /** Templates relative to the API base: `{param}` is one segment, `{param+}` one or more. */
  paths: string[];
  /** Module under functions/, without extension, that exports `handler`. */
  module: string;
  access: RouteAccess;
  /** Long polls hold the request open up to the poll bound. */
  longPoll?: boolean;
  /**
   * Answers without a session even where STEVEDORE_AUTH is `required` (lib/http/session.ts):
   * the login itself, and the API's description (which says how to log in). Every other route needs one.
   */
  public?: true;
}

/** The base path of the API and the aliases newer clients use (COMPAT.md). */
export const API_PREFIXES = ['/api/v1', '/containerstation/api/v1', '/container-station/api/v1'] as const;

/** `{name}` -> `:name`, `{name+}` -> `:name{.+}` (hono's syntax). */
export function toHonoPath(template: string): string {
  return template.replace(/\{(\w+)\+\}/g, ':$1{.+}').replace(/\{(\w+)\}/g, ':$1');
}

/** Every concrete path (all prefixes) a route answers on, in hono's syntax. */
export function honoPaths(route: RouteDefinition): string[] {
  return API_PREFIXES.flatMap((prefix) => route.paths.map((p) => prefix + toHonoPath(p)));
}
