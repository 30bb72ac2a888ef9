// A deployed bundle's stack traces name the TypeScript (files, lines and the functions' own
// names) with no Node flag: the bundle reads its source map the first time a stack is formatted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../../infra/aws/bundle.ts';

const outdir = mkdtempSync(join(tmpdir(), 'stevedore-stack-traces-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('a bundle built with the deployed settings', () => {
  it('prints stack traces with the TypeScript files, lines and function names, without --enable-source-maps', () => {
    buildSync({ ...ESBUILD_OPTIONS, entryPoints: { index: 'test/infra/fixtures/throwing-entry.ts' }, outdir, absWorkingDir: REPO_ROOT });
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(outdir, 'index.mjs')).href)});
try { handler(); } catch (err) { console.log(err.stack); }`;
    const stack = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const lines = stack.trim().split('\n').map((line) => line.trim());
    const source = join(REPO_ROOT, 'test/infra/fixtures/throwing-entry.ts');
    // As Node's --enable-source-maps prints them: an exported function called from outside the
    // bundle keeps its minified name, which the map gives no call of it.
    expect(lines.slice(0, 3)).toEqual(['Error: boom', `at explode (${source}:7:9)`, expect.stringMatching(new RegExp(`^at \\w+ \\(${source}:3:10\\)$`))]);
  });
});
