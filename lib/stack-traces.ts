// Stack traces of a deployed bundle, mapped back to the TypeScript through the bundle's source
// map (`index.mjs.map`, beside it), which is read the first time a stack is formatted. Node's
// own --enable-source-maps parses the map while the bundle loads: 9 MiB of the worker's memory
// and tens of milliseconds of every cold start, for traces most invocations never print.
// infra/aws/bundle.ts injects this module into every bundle; run from source there is no map,
// and V8's traces stand as they are.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundleUrl = import.meta.url;
const mapFile = bundleUrl.startsWith('file:') ? `${fileURLToPath(bundleUrl)}.map` : '';

if (mapFile && existsSync(mapFile)) {
  let map: SourceMap | null | undefined;
  const sourceMap = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
      } catch {
        map = null; // a trace with the bundle's positions beats no trace
      }
    }
    return map;
  };
  Error.prepareStackTrace = (error, sites) => {
    const frames = sites.map((site, i) => `\n    at ${frameOf(site, sites[i + 1], sourceMap)}`);
    return `${headline(error)}${frames.join('')}`;
  };
}

function headline(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** The frame as V8 prints it, with the bundle's positions replaced by the TypeScript's. */
function frameOf(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined, sourceMap: () => SourceMap | null): string {
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (site.getFileName() !== bundleUrl || line === null || column === null) return String(site);
  const map = sourceMap();
  const entry = map?.findEntry(line - 1, column - 1);
  if (!map || !entry || !('originalSource' in entry)) return String(site);
  const name = originalName(map, site, caller) ?? site.getFunctionName() ?? '<anonymous>';
  const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  return `${prefix}${name} (${sourcePath(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1})`;
}

/** The map names sources relative to itself; a trace names them as Node does, by absolute path. */
function sourcePath(source: string): string {
  const url = new URL(source, pathToFileURL(mapFile));
  return url.protocol === 'file:' ? fileURLToPath(url) : url.href;
}

/** The name a position of the map carries, if any. */
function nameAt(map: SourceMap, line: number | null, column: number | null): string | undefined {
  if (line === null || column === null) return undefined;
  const entry = map.findEntry(line - 1, column - 1);
  return 'name' in entry && typeof entry.name === 'string' && entry.name ? entry.name : undefined;
}

/**
 * The function's name before minification, as Node finds it: the name the map gives the
 * function's own start, or failing that the name at the call that entered it.
 */
function originalName(map: SourceMap, site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string | undefined {
  const own = nameAt(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber());
  if (own || caller?.getFileName() !== bundleUrl) return own;
  return nameAt(map, caller.getLineNumber(), caller.getColumnNumber());
}
