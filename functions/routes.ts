// The route manifest: every HTTP endpoint of stevedore, in one place. The local server mounts
// these in order (specific paths before greedy ones) and the CDK app deploys one Lambda
// function and one API route per entry. Adding an endpoint means adding its entry here and
// its module under functions/.
import type { RouteDefinition } from '../lib/http/route.ts';

export const routes = {
  sharefolderList: {
    name: 'sharefolder-list',
    method: 'GET',
    paths: ['/sharefolder', '/sharefolder/{path+}'],
    module: 'sharefolder/list',
    access: { bucket: 'read' },
  },
  sharefolderCreate: {
    name: 'sharefolder-create',
    method: 'POST',
    paths: ['/sharefolder/{path+}'],
    module: 'sharefolder/create',
    access: { bucket: 'write' },
  },
  sharefolderDelete: {
    name: 'sharefolder-delete',
    method: 'DELETE',
    paths: ['/sharefolder/{path+}'],
    module: 'sharefolder/delete',
    access: { bucket: 'write' },
  },
} as const satisfies Record<string, RouteDefinition>;

export const manifest: RouteDefinition[] = Object.values(routes);
