// Every request that no route of the manifest matches (API Gateway's $default route): the
// API's 404 in its error envelope, as the local server answers, rather than the gateway's own
// {"message":"Not Found"}.
import { createBaseApp } from '../lib/http/app.ts';
import { lambdaHandler } from '../lib/http/lambda.ts';

export const handler = lambdaHandler(createBaseApp());
