// Every request that no route of the manifest matches (API Gateway's $default route): the
// API's 404 in its error envelope, or 405 with `Allow` for a known path asked with another
// method, as the local server answers, rather than the gateway's own {"message":"Not Found"}.
import { createBaseApp } from '../lib/http/app.ts';
import { lambdaHandler } from '../lib/http/lambda.ts';
import { manifest } from './routes.ts';

export const handler = lambdaHandler(createBaseApp(manifest));
