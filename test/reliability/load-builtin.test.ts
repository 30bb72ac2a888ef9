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
  const outcome = await runLoad(stack.url, stack.aws, stack.cfg.bucketName, [source], { count: COUNT, folder: 'test', timeoutMs: 200_000, prefix: `${type}-load-` });
  // Assess
  expect(outcome.problems).toEqual([]);
  expect([outcome.exports, outcome.imports]).toEqual([COUNT, COUNT]);
  console.log(`built-in ${type} load: ${COUNT} exports in ${outcome.exportSeconds.toFixed(1)} s, ${COUNT} imports in ${outcome.importSeconds.toFixed(1)} s`);
}

describe(`${COUNT} concurrent exports and imports on the built-in runtime`, () => {
  for (const type of ['lxc', 'docker'] as const) {
    it(`of ${type} containers all complete with unique ids, archives equal to their containers, and no task left unfinished`, { timeout: 240_000 }, () => loadCase(type));
  }
});
