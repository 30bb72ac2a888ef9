// The layering of lib/ read top to bottom: functions and infra sit above lib; the archive format
// is the bottom floor; the domain knows nothing of HTTP. A new import that breaks a floor fails
// here, naming the file and what it imported.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LIB = join(ROOT, 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module a file imports (static, type-only, re-exports, dynamic), relative to the repository, or the package name. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(dirname(file), s)) : s));
}

const libImports = sourceFiles(LIB).map((file) => ({ file: relative(ROOT, file), imports: importsOf(file) }));

function violations(files: (file: string) => boolean, forbidden: (imported: string) => boolean): string[] {
  return libImports.filter(({ file }) => files(file)).flatMap(({ file, imports }) => imports.filter(forbidden).map((imported) => `${file} -> ${imported}`));
}

const under = (...folders: string[]) => (path: string) => folders.some((folder) => path.startsWith(`${folder}/`));

describe('the layering of lib/', () => {
  it('finds the imports it checks', () => {
    expect(libImports.length).toBeGreaterThan(50);
    expect(libImports.find((f) => f.file === 'lib/worker/run-export.ts')?.imports).toContain('lib/archive/pack.ts');
  });

  it('imports nothing from functions/ or infra/', () => {
    expect(violations(under('lib'), under('functions', 'infra'))).toEqual([]);
  });

  it('keeps the archive format at the bottom: it imports nothing of the share folders, runtimes, tasks, containers, HTTP or AWS', () => {
    expect(violations(under('lib/archive'), under('lib/share', 'lib/runtimes', 'lib/tasks', 'lib/container', 'lib/http', 'lib/worker', 'lib/aws'))).toEqual([]);
  });

  it('keeps HTTP out of the domain: no domain module imports lib/http or hono', () => {
    const domain = under('lib/archive', 'lib/container', 'lib/runtimes', 'lib/share', 'lib/tasks', 'lib/worker');
    expect(violations(domain, (imported) => imported.startsWith('lib/http/') || imported === 'hono' || imported.startsWith('hono/'))).toEqual([]);
  });

  it('lets only the composition root build adapters: the domain imports ports, never lib/services.ts or lib/compose', () => {
    const compositionRoot = (path: string) => path === 'lib/services.ts' || path.startsWith('lib/compose/');
    // The HTTP edge composes a Lambda function's own services; nothing else may.
    const domain = (file: string) => !compositionRoot(file) && !file.startsWith('lib/http/');
    expect(violations(domain, compositionRoot)).toEqual([]);
    expect(violations(under('lib/http'), (imported) => imported === 'lib/services.ts')).toEqual([]);
  });

  it("imports zod as a namespace, which is what lets esbuild leave out zod's locales and JSON Schema code", () => {
    // `import { z } from 'zod'` kept 445 KiB of zod in every bundle using it; `import * as z` keeps ~96 KiB.
    const named = sourceFiles(LIB).filter((file) => /^import \{[^}]*\bz\b[^}]*\} from 'zod';/m.test(readFileSync(file, 'utf8')));
    expect(named.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('imports zod/mini, never classic zod, whose schemas carry every method and the JSON Schema converter (~96 KiB against ~32 KiB)', () => {
    expect(violations(under('lib'), (imported) => (imported === 'zod' || imported.startsWith('zod/')) && imported !== 'zod/mini')).toEqual([]);
  });
});
