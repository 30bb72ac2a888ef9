// A seeded fuzz pass over every route of the manifest: random paths, percent-encodings, query
// strings, bodies, content types, sizes, methods, cookies and headers, first as an anonymous
// client on loopback (what `npm start` serves), then against a stack where every route needs a
// session (STEVEDORE_AUTH=required), with the live session's cookie on some requests, forged,
// expired, logged-out or removed users' on others, and none on the rest. No answer is a 5xx or
// late, every refusal (401 too) is in the envelope, a refused request changes nothing in the
// bucket or the table, and one without a session is served only on a public route and changes
// nothing (support/fuzz-run.ts). A failure prints its seed and the command that replays it:
// STEVEDORE_FUZZ_SEED=N, with STEVEDORE_FUZZ_REQUESTS the count of both passes together (3000:
// two thirds anonymous, a third with a session required). The soak (npm run soak) runs many more.
import { describe, expect, it } from 'vitest';
import { sendRaw } from '../support/raw-http.ts';
import { useTestStack, type TestStack } from '../support/stack.ts';
import { describeFindings, runFuzz, type FuzzReport, type FuzzTarget } from './support/fuzz-run.ts';
import { prepareFuzzTarget } from './support/fuzz-stack.ts';
import { fuzzSeed } from './support/prng.ts';

const REQUESTS = Number(process.env.STEVEDORE_FUZZ_REQUESTS ?? 3000);
const SEED = fuzzSeed();
const REPLAY = `STEVEDORE_FUZZ_SEED=${SEED} STEVEDORE_FUZZ_REQUESTS=${REQUESTS} npx vitest run test/reliability/fuzz.test.ts`;
/**
 * The budget split so the file takes about the time one anonymous pass of it took: a request of the
 * pass that needs a session costs more (its cookie is looked up), so it gets a third.
 */
const SHARE = { anonymous: REQUESTS - Math.floor(REQUESTS / 3), required: Math.floor(REQUESTS / 3) };

async function fuzzPass(stack: TestStack, requests: number): Promise<{ report: FuzzReport; target: FuzzTarget }> {
  // Prepare
  const target = await prepareFuzzTarget(stack);
  // Act
  const report = await runFuzz(target, { seed: SEED, requests, concurrency: 32, boundMs: 10_000 });
  console.log(`fuzz (${target.authRequired ? 'session required' : 'anonymous'}): seed ${SEED}, ${report.sent} requests, by status ${JSON.stringify(report.byStatus)}, slowest ${report.slowestMs.toFixed(0)} ms`);
  // Assess
  expect(report.findings, describeFindings(report, REPLAY)).toEqual([]);
  expect(report.sent).toBe(requests);
  // The pass reached the handlers, not only the router: some requests were served.
  expect(Object.keys(report.byStatus).map(Number).filter((s) => s < 300).length, JSON.stringify(report.byStatus)).toBeGreaterThan(0);
  return { report, target };
}

describe('a fuzz pass over every route, anonymous', () => {
  const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '1' });

  it(`answers ${SHARE.anonymous} random requests in time, without a 5xx, and refusals change nothing`, { timeout: 300_000 }, async () => {
    const { target } = await fuzzPass(stack, SHARE.anonymous);
    expect(target.authRequired).toBe(false);
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

describe('a fuzz pass over every route, with a session required', () => {
  const stack = useTestStack({ STEVEDORE_POLL_SECONDS: '1', STEVEDORE_AUTH: 'required' });

  it(`answers ${SHARE.required} random requests with and without a live session in time, without a 5xx; those without one are refused (401 in the envelope) and change nothing`, { timeout: 300_000 }, async () => {
    const { report, target } = await fuzzPass(stack, SHARE.required);
    // Assess: both kinds of batches were sent, the gate refused some requests, and the live
    // session outlived the pass (no fuzzed request ended it, so its batches tested what they meant to)
    expect(report.sessionlessBatches).toBeGreaterThan(0);
    expect(report.byStatus[401] ?? 0, JSON.stringify(report.byStatus)).toBeGreaterThan(0);
    const refreshed = await fetch(`${stack.url}/api/v1/login_refresh`, { headers: { cookie: target.context.sessionCookie! } });
    expect(refreshed.status).toBe(200);
  });
});
