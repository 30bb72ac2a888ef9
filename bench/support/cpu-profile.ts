// Where a process spent its CPU, from a `node --cpu-prof` profile: self time per source file
// (mapped back through the bundle's source map, so a minified worker bundle still names
// lib/archive/tar-reader.ts or node_modules/tar-stream) and per function, the biggest first.
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalSeconds: number;
  byFile: [string, number][];
  byFunction: [string, number][];
}

/** Summarizes the one profile in `dir`; `bundleFile` is the bundle whose map names its frames. */
export function summarizeProfile(dir: string, bundleFile: string): ProfileSummary {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const bundleUrl = new URL(`file://${bundleFile}`).href;
  const root = join(bundleFile, '..');

  const selfMicros = new Map<number, number>();
  profile.samples.forEach((node, i) => selfMicros.set(node, (selfMicros.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (into: Map<string, number>, key: string, micros: number) => into.set(key, (into.get(key) ?? 0) + micros);
  let total = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    total += micros;
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    let where = url || '(native)';
    let name = functionName || '(anonymous)';
    if (url === bundleUrl) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
      where = entry.originalSource ? shortSource(entry.originalSource, root) : '(bundle)';
      name = `${entry.name ?? name} ${where}:${(entry.originalLine ?? 0) + 1}`;
    } else if (url.startsWith('node:')) {
      name = `${name} ${url}`;
    }
    if (!url) where = functionName.startsWith('(') ? functionName : '(native)';
    add(byFile, where, micros);
    add(byFunction, name, micros);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]): [string, number] => [k, v / 1e6]);
  return { totalSeconds: total / 1e6, byFile: sorted(byFile), byFunction: sorted(byFunction) };
}

function shortSource(source: string, root: string): string {
  const path = source.startsWith('file:') ? fileURLToPath(source) : join(root, source);
  const repo = relative(join(import.meta.dirname, '../..'), path);
  const modules = repo.lastIndexOf('node_modules/');
  if (modules >= 0) return repo.slice(modules).split('/').slice(0, repo.slice(modules).split('/')[1]!.startsWith('@') ? 3 : 2).join('/');
  return repo;
}
