// What every HTTP function module exports: its route, its handler, and its Lambda `handler`.
// The local server mounts `appFor(services)` with the services it composed; Lambda composes
// them from the function's environment on the first request (lib/services.ts).
import type { Context, Hono } from 'hono';
import { once } from '../once.ts';
import type { Services } from '../ports.ts';
import { servicesFromEnvironment } from '../services.ts';
import { createRouteApp } from './app.ts';
import { lambdaHandler, type LambdaHandler } from './lambda.ts';
import type { RouteDefinition } from './route.ts';

export type ServiceHandler = (c: Context, services: Services) => Response | Promise<Response>;

export interface HttpFunction {
  route: RouteDefinition;
  appFor(services: Services): Hono;
  handler: LambdaHandler;
}

export function httpFunction(route: RouteDefinition, handle: ServiceHandler): HttpFunction {
  const appFor = (services: Services) => createRouteApp(route, (c) => handle(c, services));
  const lambda = once(() => lambdaHandler(appFor(servicesFromEnvironment())));
  return { route, appFor, handler: (event, context) => lambda()(event, context) };
}
