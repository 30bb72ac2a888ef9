// A public function composed of nothing: it answers what the code itself holds (the OpenAPI
// document, the reference page), so it reads no session, its role may touch no table, and its
// bundle carries none of the AWS SDK that composing services would bring (./function.ts).
import { once } from '../once.ts';
import { createPublicRouteApp, type RouteHandler } from './app.ts';
import type { HttpFunction } from './function.ts';
import { lambdaHandler } from './lambda.ts';
import type { RouteDefinition } from './route.ts';

export function publicHttpFunction(route: RouteDefinition, handle: RouteHandler): HttpFunction {
  const app = once(() => createPublicRouteApp(route, handle));
  const lambda = once(() => lambdaHandler(app()));
  return { route, ports: [], appFor: () => app(), handler: (event, context) => lambda()(event, context) };
}
