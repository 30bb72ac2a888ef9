// Bundles function modules for Lambda with the local esbuild: one esbuild call for every module
// (offline, no Docker, a few seconds for the whole manifest), one directory per module holding
// `index.mjs` and its source map, ready for `Code.fromAsset`. The CDK app and the cold-start
// bench both call this, so the bench measures exactly what is deployed.
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions, type Message } from 'esbuild';
import { makeProcessDir, removeDirsOfGoneProcesses } from '../../lib/process-dirs.ts';
import { ASSETS_DIR, REFERENCE_ASSETS } from '../../lib/http/openapi/reference-page.ts';

/** The repository root (this file is infra/aws/bundle.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');

/** The file Lambda loads and the export it calls: `index.mjs` exporting `handler`. */
export const BUNDLE_FILE = 'index.mjs';
export const HANDLER = 'index.handler';

/**
 * The esbuild settings of every deployed function. ESM output (`.mjs`, which Lambda's Node.js
 * runtimes load as a module) keeps the AWS SDK v3's ES builds tree-shakeable. Bundled CommonJS
 * dependencies may still call `require` for Node built-ins, which ESM lacks: the banner
 * provides one. Everything is bundled, the AWS SDK included: the version we test is the version
 * that runs, and one minified file loads faster than the runtime's copy resolved module by module.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  // On Lambda the credentials are in the environment: the clients' default chain is replaced by
  // the environment provider alone (see the module for why), which drops the STS and SSO clients.
  alias: { '@aws-sdk/credential-provider-node': './lib/aws/lambda-credentials.ts' },
  minify: true,
  treeShaking: true,
  // Linked source maps map stack traces back to the TypeScript; the sources themselves stay out
  // of the asset. Every bundle carries lib/stack-traces.ts, which reads the map the first time a
  // stack is formatted: Node's --enable-source-maps would parse it while the bundle loads.
  sourcemap: 'linked',
  sourcesContent: false,
  inject: ['./lib/stack-traces.ts'],
  legalComments: 'none',
  banner: { js: "import{createRequire as __stevedoreRequire}from'node:module';const require=__stevedoreRequire(import.meta.url);" },
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** The functions that are not in the route manifest: the stream worker and the stale-task sweep. */
export const WORKER_MODULE = 'worker/tasks';
export const SWEEP_MODULE = 'worker/sweep';
/** The $default route of the HTTP API: the error envelope's 404 for every unmatched request. */
export const NOT_FOUND_MODULE = 'not-found';

/** Every module the stack deploys for a manifest: its entries' modules, the worker, the sweep and the 404. */
export function deployedModules(manifest: readonly { module: string }[]): string[] {
  return [...manifest.map((r) => r.module), WORKER_MODULE, SWEEP_MODULE, NOT_FOUND_MODULE];
}

/**
 * Files a module reads at run time from `assets/` beside its bundle, by name, as package files:
 * the reference page's scripts and styles (megabytes that would otherwise sit in the bundle,
 * parsed at every cold start), read only when a browser asks for them.
 */
export const MODULE_ASSETS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'docs/reference': Object.fromEntries(Object.entries(REFERENCE_ASSETS).map(([name, asset]) => [name, asset.file])),
};

export interface BundledModule {
  /** Module name under functions/, e.g. `sharefolder/list`. */
  module: string;
  /** Directory holding `index.mjs` and `index.mjs.map`: the function's asset. */
  dir: string;
  /** Absolute path of `index.mjs`. */
  file: string;
  /** Size of `index.mjs` in bytes (source map excluded). */
  bytes: number;
  /** What `index.mjs` is made of: each bundled input file (relative to the repository) and its bytes in the output. */
  inputs: Readonly<Record<string, number>>;
}

export type Bundles = ReadonlyMap<string, BundledModule>;

const MODULE_PATTERN = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/i;

/** Where a manifest module's source lives; throws with the manifest's vocabulary if it does not. */
export function moduleSource(module: string): string {
  if (!MODULE_PATTERN.test(module)) {
    throw new Error(`route manifest: module "${module}" must be a path under functions/ without extension, e.g. "export/list"`);
  }
  const file = join(FUNCTIONS_DIR, `${module}.ts`);
  if (!existsSync(file)) throw new Error(`route manifest: module "${module}" has no file ${relative(REPO_ROOT, file)}`);
  return file;
}

export interface BundleOptions {
  /** Output directory; a fresh temporary directory under node_modules/.cache (removed at exit) when omitted. */
  outdir?: string;
}

const cache = new Map<string, Bundles>();
const temporaryDirs = new Set<string>();

/**
 * Bundles each module (deduplicated) in one esbuild call and checks that every bundle exports
 * `handler`. Results are cached per process by module set, so several stacks in one test run
 * bundle once.
 */
export function bundleModules(modules: Iterable<string>, options: BundleOptions = {}): Bundles {
  const unique = [...new Set(modules)].sort();
  const key = JSON.stringify(unique);
  const cached = options.outdir === undefined ? cache.get(key) : undefined;
  if (cached) return cached;

  const entryPoints = Object.fromEntries(unique.map((m) => [`${m}/index`, moduleSource(m)]));
  const outdir = options.outdir ?? temporaryDir();
  let result;
  try {
    result = buildSync({ ...ESBUILD_OPTIONS, entryPoints, outdir, metafile: true, absWorkingDir: REPO_ROOT });
  } catch (err) {
    if (options.outdir === undefined) discard(outdir);
    const errors = (err as { errors?: Message[] }).errors ?? [];
    if (errors.length === 0) throw err;
    throw new Error(`bundling the functions failed:\n${errors.map(describe).join('\n')}`);
  }

  const bundles = new Map<string, BundledModule>();
  try {
    for (const module of unique) {
      const dir = join(outdir, module);
      const file = join(dir, BUNDLE_FILE);
      const output = result.metafile.outputs[relative(REPO_ROOT, file).split('\\').join('/')];
      if (!output) throw new Error(`esbuild wrote no ${file} for module "${module}"`);
      if (!output.exports.includes('handler')) {
        throw new Error(`route manifest: functions/${module}.ts must export \`handler\` (it exports: ${output.exports.join(', ') || 'nothing'})`);
      }
      copyAssets(module, dir);
      const inputs = Object.fromEntries(Object.entries(output.inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
      bundles.set(module, { module, dir, file, bytes: statSync(file).size, inputs });
    }
  } catch (err) {
    if (options.outdir === undefined) discard(outdir);
    throw err;
  }
  if (options.outdir === undefined) cache.set(key, bundles);
  return bundles;
}

function copyAssets(module: string, dir: string): void {
  const assets = Object.entries(MODULE_ASSETS[module] ?? {});
  if (assets.length === 0) return;
  const resolve = createRequire(join(REPO_ROOT, 'package.json')).resolve;
  mkdirSync(join(dir, ASSETS_DIR), { recursive: true });
  for (const [name, packageFile] of assets) copyFileSync(resolve(packageFile), join(dir, ASSETS_DIR, name));
}

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `  ${where}${message.text}`;
}

function temporaryDir(): string {
  // Inside the checkout (node_modules/.cache is ignored with node_modules), so that the source
  // maps' relative paths, and with them the asset hashes, are the same in every clone.
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'stevedore');
  mkdirSync(cacheDir, { recursive: true });
  // Bundles of processes that ended without their exit handler (killed, crashed) go first.
  removeDirsOfGoneProcesses(cacheDir, 'bundle-');
  const dir = makeProcessDir(cacheDir, 'bundle-');
  // CDK copies each asset into the cloud assembly during synthesis, before the process ends.
  if (temporaryDirs.size === 0) process.once('exit', removeBundles);
  temporaryDirs.add(dir);
  return dir;
}

/** Removes this process's temporary bundles and forgets them (test runners call it when done). */
export function removeBundles(): void {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  temporaryDirs.clear();
  cache.clear();
}

function discard(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  temporaryDirs.delete(dir);
}
