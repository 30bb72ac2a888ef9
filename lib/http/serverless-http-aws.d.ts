// Types of the three serverless-http 4 modules that ./serverless.ts assembles (the package
// types only its index).
declare module 'serverless-http/lib/provider/aws/index.js' {
  import type { IncomingMessage } from 'node:http';
  type GetResponse = (request: IncomingMessage, event: object, context: object) => Promise<object>;
  const aws: (options: { requestId?: string }) => (getResponse: GetResponse) => (event: object, context?: object) => Promise<object>;
  export default aws;
}

declare module 'serverless-http/lib/finish.js' {
  const finish: (item: NodeJS.EventEmitter, transform: undefined, ...details: unknown[]) => Promise<unknown>;
  export default finish;
}

declare module 'serverless-http/lib/response.js' {
  import { ServerResponse, type IncomingMessage } from 'node:http';
  export default class ServerlessResponse extends ServerResponse {
    constructor(request: IncomingMessage);
  }
}
