// A seeded fuzz pass over every route of the manifest, as an anonymous client on loopback (what
// `npm start` serves): random paths, percent-encodings, query strings, bodies, content types,
// sizes, methods, cookies and headers. No answer is a 5xx or late, every refusal is in the
// envelope, and a refused request changes nothing in the bucket or the table
// (support/fuzz-run.ts). A failure prints its seed: STEVEDORE_FUZZ_SEED=N replays it, and
// STEVEDORE_FUZZ_REQUESTS sets the count. The soak (npm run soak) runs many more.
import { describe, expect, it } from 'vitest';
import { manifest } from '../../functions/routes.ts';
import { MAX_BODY_BYTES } from '../../lib/http/app.ts';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack } from '../support/stack.ts';
import { describeFindings, runFuzz } from './support/fuzz-run.ts';
import { seedFuzzData } from './support/fuzz-stack.ts';
import { fuzzSeed } from './support/prng.ts';

const REQUESTS = Number(process.env.STEVEDORE_FUZZ_REQUESTS ?? 1500);
const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '1' });

describe('a fuzz pass over every route, anonymous', () => {
  it(`answers ${REQUESTS} random requests in time, without a 5xx, and refusals change nothing`, { timeout: 300_000 }, async () => {
    // Prepare
    await seedFuzzData(stack.url, stack.aws, stack.cfg.bucketName, stack.services.builtinRuntime);
    const seed = fuzzSeed();
    // Act
    const report = await runFuzz(
      { url: stack.url, aws: stack.aws, tableName: stack.cfg.tableName, bucketName: stack.cfg.bucketName, routes: manifest, pollBoundMs: stack.cfg.pollBoundMs, context: { maxBodyBytes: MAX_BODY_BYTES } },
      { seed, requests: REQUESTS, concurrency: 32, boundMs: 10_000 },
    );
    // Assess
    expect(report.findings, describeFindings(report)).toEqual([]);
    expect(report.sent).toBe(REQUESTS);
    // The pass reached the handlers, not only the router: some requests were served.
    expect(Object.keys(report.byStatus).map(Number).filter((s) => s < 300).length, JSON.stringify(report.byStatus)).toBeGreaterThan(0);
  });

  it('answers 404 for a container address longer than any container has, on every route that takes one', async () => {
    const id = 'y'.repeat(1100);
    for (const [method, path] of [['GET', `/api/v1/container/lxc/${id}`], ['GET', `/api/v1/container/docker/${id}/all`], ['DELETE', `/api/v1/container/lxc/${id}`], ['POST', `/api/v1/container/lxc/${id}/export`]] as const) {
      // Act
      const answer = await sendRaw(stack.url, method, path, method === 'POST' ? { body: '{"path":"test/long.tar"}' } : {});
      // Assess
      expect(answer.status, `${method} ${path.slice(0, 40)}`).toBe(404);
      expect(JSON.parse(answer.text).error.code).toBe(404);
    }
  });

  it('answers a HEAD the HTTP parser refuses with headers alone, as a HEAD is answered', async () => {
    // Act: a raw byte 0xE9 in the target, which node's parser refuses before any route
    const answer = await sendRaw(stack.url, 'HEAD', '/api/v1/container/\xe9');
    // Assess: node's client fails on bytes after the headers of a HEAD's answer
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('');
  });
});
