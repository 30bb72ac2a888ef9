// A backend that cannot be reached answers 503 in the API's envelope, naming it, on every route
// that needs it: never a 500. The table or the bucket is pointed at a port nothing listens on.
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from '../../infra/local/server.ts';
import { API_PREFIXES } from '../../lib/http/route.ts';
import { createServices, type ComposedServices } from '../../lib/services.ts';
import { testEnvironment } from '../support/stack.ts';

const CLOSED = 'http://127.0.0.1:9';
const made: { services: ComposedServices; server: RunningServer }[] = [];
afterAll(async () => {
  for (const { services, server } of made) {
    await server.close();
    services.aws.destroy();
  }
});

/** A server (share paths are read from the raw request target, which only a real one has) on these settings. */
async function serverWith(env: Record<string, string>): Promise<string> {
  const services = createServices(testEnvironment(env));
  const server = await startServer(createLocalApp(await loadFunctions(), services), '127.0.0.1', 0);
  made.push({ services, server });
  return server.url;
}

const request = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${API_PREFIXES[0]}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });

describe('an unreachable backend', () => {
  it('is a 503 naming DynamoDB on the routes that read the table', async () => {
    const app = await serverWith({ AWS_ENDPOINT_URL_DYNAMODB: CLOSED });
    for (const [method, path, body] of [
      ['GET', '/export/'],
      ['GET', '/import/'],
      ['GET', '/container'],
      ['DELETE', '/export/'],
      ['POST', '/container', { type: 'lxc', name: 'c1', image: 'demo', tag: 'latest' }],
    ] as const) {
      const answer = await request(app, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(503);
      expect(await answer.json()).toEqual({ error: { code: 503, message: expect.stringMatching(/^DynamoDB at http:\/\/127\.0\.0\.1:9 cannot be reached \(ECONNREFUSED\)$/) } });
    }
  }, 60_000);

  it('is a 503 naming S3 on the routes that read the share folders', async () => {
    const app = await serverWith({ AWS_ENDPOINT_URL_S3: CLOSED });
    for (const path of ['/sharefolder/', '/sharefolder/test/', '/import/test/?name=c.tgz']) {
      const answer = await request(app, 'GET', path);
      expect(answer.status, path).toBe(503);
      expect(await answer.json()).toEqual({ error: { code: 503, message: expect.stringMatching(/^S3 at http:\/\/127\.0\.0\.1:9 cannot be reached \(ECONNREFUSED\)$/) } });
    }
  }, 60_000);
});
