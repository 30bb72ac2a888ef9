// What every HTTP function module exports: its route, the adapters it is composed of, its app
// and its Lambda `handler`. The local server mounts `appFor(services)` with the services the
// whole stack shares; Lambda composes the function's own adapters from its environment on the
// first request (lib/compose/compose.ts), so the bundle carries only those.
import type { Context, Hono } from 'hono';
import { dynamoAuth } from '../compose/dynamo-auth.ts';
import { servicesFromEnvironment, type Adapters, type PortName, type ServicesWith } from '../compose/compose.ts';
import { once } from '../once.ts';
import type { Services } from '../ports.ts';
import { createRouteApp } from './app.ts';
import { lambdaHandler, type LambdaHandler } from './lambda.ts';
import type { RouteDefinition } from './route.ts';

export type ServiceHandler<K extends PortName> = (c: Context, services: ServicesWith<K>) => Response | Promise<Response>;

export interface HttpFunction {
  route: RouteDefinition;
  /** The ports the function uses, which its manifest entry's `access` must allow. */
  ports: readonly PortName[];
  appFor(services: Services): Hono;
  handler: LambdaHandler;
}

/**
 * Every function is composed with the auth store besides its own adapters: the session gate
 * in front of its handler reads the session (so every function reads the table).
 */
export function httpFunction<K extends PortName>(route: RouteDefinition, adapters: Adapters<K>, handle: ServiceHandler<K>): HttpFunction {
  const withAuth = { auth: dynamoAuth, ...adapters } as Adapters<K | 'auth'>;
  const appFor = (services: ServicesWith<K | 'auth'>) => createRouteApp(route, (c) => handle(c, services), services);
  const lambda = once(() => lambdaHandler(appFor(servicesFromEnvironment(withAuth)())));
  return { route, ports: Object.keys(withAuth) as (K | 'auth')[], appFor, handler: (event, context) => lambda()(event, context) };
}

