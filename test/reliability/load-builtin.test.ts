// The load case on the built-in runtime: concurrent exports of a built-in container and imports of
// the archives they wrote, submitted at once through the HTTP API (support/load-run.ts).
// STEVEDORE_LOAD_TASKS sets the count; the soak (npm run soak) runs more.
import { describe, expect, it } from 'vitest';
import { useTestStack } from '../support/stack.ts';
import { builtinLoadSource, runLoad } from './support/load-run.ts';

// 20 at once in npm test (about 20 s here); STEVEDORE_LOAD_TASKS=50 is the full form.
const COUNT = Number(process.env.STEVEDORE_LOAD_TASKS ?? 20);
const stack = useTestStack({}, { worker: true });

async function loadCase(type: 'lxc' | 'docker'): Promise<void> {
  // Prepare: a container of the type, from the demo image
  const source = await builtinLoadSource(stack, type);
  // Act
  const outcome = await runLoad(stack.url, stack.aws, stack.cfg.bucketName, [source], { count: COUNT, folder: 'test', timeoutMs: 200_000 });
  // Assess
  expect(outcome.problems).toEqual([]);
  expect([outcome.exports, outcome.imports]).toEqual([COUNT, COUNT]);
  console.log(`built-in ${type} load: ${COUNT} exports in ${outcome.exportSeconds.toFixed(1)} s, ${COUNT} imports in ${outcome.importSeconds.toFixed(1)} s`);
}

describe(`${COUNT} concurrent exports and imports on the built-in runtime`, () => {
  it('of lxc containers all complete with unique ids, archives equal to their containers, and no task left unfinished', { timeout: 240_000 }, () => loadCase('lxc'));

  // Skipped, reason: every import of a docker-type archive completes, but the runner then finds the
  // imported container by its name (GET /container/docker/load-N) and gets 404; whether the
  // runner must address a built-in docker container by its id or the runtime should answer to
  // its name is not decided yet.
  it.skip('of docker containers all complete (skipped: the imported containers are looked up by name and answer 404, see above)', { timeout: 240_000 }, () => loadCase('docker'));
});
