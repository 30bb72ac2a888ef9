// serverless-http for API Gateway, assembled from its AWS provider, request and response as its
// index assembles them for a plain (req, res) listener. The index also requires its Azure
// provider and its framework detection, which esbuild cannot leave out of a CommonJS package
// (10 KiB of every bundle, most of it Azure's set-cookie table).
import type { IncomingMessage, ServerResponse } from 'node:http';
import aws from 'serverless-http/lib/provider/aws/index.js';
import finish from 'serverless-http/lib/finish.js';
import ServerlessResponse from 'serverless-http/lib/response.js';

export type LambdaHandler = (event: object, context: object) => Promise<object>;

export function serverless(listener: (req: IncomingMessage, res: ServerResponse) => unknown): LambdaHandler {
  // serverless-http's default: the response carries the gateway's request id as x-request-id.
  const provider = aws({ requestId: 'x-request-id' });
  return provider(async (request, _event, context) => {
    await finish(request, undefined, context);
    const response = new ServerlessResponse(request);
    listener(request, response);
    await finish(response, undefined, context);
    response.emit('close');
    return response;
  });
}
