// What every HTTP function module exports: its hono app (mounted by the local server) and
// its Lambda `handler`. Both come from the same manifest entry.
import type { Hono } from 'hono';
import { createRouteApp, type RouteHandler } from './app.ts';
import { lambdaHandler, type LambdaHandler } from './lambda.ts';
import type { RouteDefinition } from './route.ts';

export interface HttpFunction {
  route: RouteDefinition;
  app: Hono;
  handler: LambdaHandler;
}

export function httpFunction(route: RouteDefinition, handle: RouteHandler): HttpFunction {
  const app = createRouteApp(route, handle);
  return { route, app, handler: lambdaHandler(app) };
}
