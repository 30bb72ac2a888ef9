// The route manifest: every HTTP endpoint of stevedore, in one place. The local server mounts
// these in order (specific paths before greedy ones) and the CDK app deploys one Lambda
// function and one API route per entry. Adding an endpoint means adding its entry here and
// its module under functions/. Every entry but the ones marked `public` needs a session where
// STEVEDORE_AUTH is `required` (lib/http/session.ts), so every function reads the table; the
// public documentation routes read nothing. Each entry is described in lib/http/openapi/operations.ts.
import type { RouteDefinition } from '../lib/http/route.ts';

export const routes = {
  login: {
    name: 'login',
    method: 'POST',
    paths: ['/login'],
    module: 'auth/login',
    access: { table: 'write' },
    // The one route a client reaches without a session: where it gets one.
    public: true,
  },
  loginRefresh: {
    name: 'login-refresh',
    method: 'GET',
    paths: ['/login_refresh'],
    module: 'auth/refresh',
    access: { table: 'write' },
  },
  logout: {
    name: 'logout',
    method: 'PUT',
    paths: ['/logout'],
    module: 'auth/logout',
    access: { table: 'write' },
  },
  sharefolderList: {
    name: 'sharefolder-list',
    method: 'GET',
    paths: ['/sharefolder', '/sharefolder/{path+}'],
    module: 'sharefolder/list',
    access: { table: 'read', bucket: 'read' },
  },
  sharefolderCreate: {
    name: 'sharefolder-create',
    method: 'POST',
    paths: ['/sharefolder/{path+}'],
    module: 'sharefolder/create',
    access: { table: 'read', bucket: 'write' },
  },
  sharefolderDelete: {
    name: 'sharefolder-delete',
    method: 'DELETE',
    paths: ['/sharefolder/{path+}'],
    module: 'sharefolder/delete',
    // The table too: a delete is refused while an unfinished task uses the path, and the stale
    // in-use markers it meets are removed.
    access: { table: 'write', bucket: 'write' },
  },
  containerCreate: {
    name: 'container-create',
    method: 'POST',
    paths: ['/container'],
    module: 'container/create',
    access: { table: 'write', bucket: 'write', engine: true },
  },
  containerList: {
    name: 'container-list',
    method: 'GET',
    paths: ['/container'],
    module: 'container/list',
    access: { table: 'read', engine: true },
  },
  containerGet: {
    name: 'container-get',
    method: 'GET',
    paths: ['/container/{type}/{id}'],
    module: 'container/get',
    access: { table: 'read', engine: true },
  },
  containerConfig: {
    name: 'container-config',
    method: 'GET',
    paths: ['/container/{type}/{id}/all'],
    module: 'container/config',
    access: { table: 'read', engine: true },
  },
  containerRemove: {
    name: 'container-remove',
    method: 'DELETE',
    paths: ['/container/{type}/{id}'],
    module: 'container/remove',
    access: { table: 'write', bucket: 'write', engine: true },
  },
  exportCreate: {
    name: 'export-create',
    method: 'POST',
    paths: ['/container/{type}/{id}/export'],
    module: 'export/create',
    access: { table: 'write', bucket: 'read', engine: true },
  },
  exportList: {
    name: 'export-list',
    method: 'GET',
    paths: ['/export'],
    module: 'export/list',
    access: { table: 'read' },
  },
  exportProgress: {
    name: 'export-progress',
    method: 'GET',
    paths: ['/export/progress'],
    module: 'export/progress',
    access: { table: 'read' },
    longPoll: true,
  },
  exportClear: {
    name: 'export-clear',
    method: 'DELETE',
    paths: ['/export'],
    module: 'export/clear',
    access: { table: 'write' },
  },
  importList: {
    name: 'import-list',
    method: 'GET',
    paths: ['/import'],
    module: 'import/list',
    access: { table: 'read' },
  },
  importProgress: {
    name: 'import-progress',
    method: 'GET',
    paths: ['/import/progress'],
    module: 'import/progress',
    access: { table: 'read' },
    longPoll: true,
  },
  importClear: {
    name: 'import-clear',
    method: 'DELETE',
    paths: ['/import'],
    module: 'import/clear',
    access: { table: 'write' },
  },
  importInspect: {
    name: 'import-inspect',
    method: 'GET',
    paths: ['/import/{path+}'],
    module: 'import/inspect',
    access: { table: 'read', bucket: 'read' },
  },
  importCreate: {
    name: 'import-create',
    method: 'POST',
    paths: ['/import/{path+}'],
    module: 'import/create',
    access: { table: 'write', bucket: 'read', engine: true },
  },
  eventList: {
    name: 'event-list',
    method: 'GET',
    paths: ['/event'],
    module: 'event/list',
    access: { table: 'read' },
  },
  // The API's description and its interactive reference: readable before a login (they say how
  // to log in), the same for everyone, and they read no data, so no session and no table.
  openapi: {
    name: 'openapi',
    method: 'GET',
    paths: ['/openapi.json'],
    module: 'docs/openapi',
    access: {},
    public: true,
  },
  docs: {
    name: 'docs',
    method: 'GET',
    paths: ['/docs', '/docs/{file}'],
    module: 'docs/reference',
    access: {},
    public: true,
  },
} as const satisfies Record<string, RouteDefinition>;

export const manifest: RouteDefinition[] = Object.values(routes);
