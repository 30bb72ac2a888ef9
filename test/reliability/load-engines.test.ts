// The load case on real engines: concurrent exports of a Docker engine container and of an LXC
// container, then imports of the archives they wrote back into each engine, all submitted at
// once through the HTTP API (support/load-run.ts, support/engine-load.ts).
// STEVEDORE_LOAD_TASKS sets the count; the soak (npm run soak) runs more.
import { afterAll, describe, expect, it } from 'vitest';
import { useTestStack } from '../support/stack.ts';
import { startEngineLoadHosts } from './support/engine-load.ts';
import { runLoad } from './support/load-run.ts';

// 20 at once in npm test, half of them each engine's; STEVEDORE_LOAD_TASKS=50 is the full form.
const COUNT = Number(process.env.STEVEDORE_LOAD_TASKS ?? 20);
const hosts = await startEngineLoadHosts();
afterAll(() => hosts.stop());
const stack = useTestStack(hosts.env, { worker: true });

describe(`${COUNT} concurrent exports and imports on the Docker engine and LXC`, () => {
  it('all complete with unique ids, archives equal to what each engine holds, and no task left unfinished', { timeout: 300_000 }, async () => {
    // Prepare
    const sources = await hosts.sources();
    // Act
    const outcome = await runLoad(stack.url, stack.aws, stack.cfg.bucketName, sources, { count: COUNT, folder: 'test', timeoutMs: 240_000 });
    // Assess
    expect(outcome.problems).toEqual([]);
    expect([outcome.exports, outcome.imports]).toEqual([COUNT, COUNT]);
    console.log(`engine load (docker engine + lxc): ${COUNT} exports in ${outcome.exportSeconds.toFixed(1)} s, ${COUNT} imports in ${outcome.importSeconds.toFixed(1)} s`);
  });
});
