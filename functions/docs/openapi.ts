// GET /api/v1/openapi.json: the OpenAPI 3.1 document of every route of the manifest, built from
// the schemas the routes validate with (lib/http/openapi) on the first request, not at init.
import { publicHttpFunction } from '../../lib/http/public-function.ts';
import { openApiDocument } from '../../lib/http/openapi/document.ts';
import { operations } from '../../lib/http/openapi/operations.ts';
import { once } from '../../lib/once.ts';
import { manifest, routes } from '../routes.ts';
import packageJson from '../../package.json' with { type: 'json' };

const INFO = {
  title: 'stevedore',
  version: packageJson.version,
  description:
    'Container Station compatible container import and export (the API v1 of 2015). Errors are `{"error":{"code":N,"message":...}}` ' +
    'with the same HTTP status. Every path answers under each of the servers\' prefixes, with or without a trailing slash, ' +
    'except in the share-folder API, where the trailing slash names a directory.',
};

export const document = once(() => openApiDocument(manifest, operations, INFO));
const text = once(() => JSON.stringify(document()));

export const fn = publicHttpFunction(routes.openapi, (c) => c.body(text(), 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' }));

export const handler = fn.handler;
