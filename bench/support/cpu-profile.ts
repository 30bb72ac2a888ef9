// Where the worker's main thread spends its CPU, from a V8 profile (`node --cpu-prof`) of the
// deployed bundle: each sample's function is mapped back through the bundle's source map to
// the module it came from, and modules are grouped into what an export does (tar, gzip, the
// SDK, copies, HTTP). Native code without a script of its own counts for its caller.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: [RegExp, string][] = [
  [/node_modules\/(tar-stream|streamx|b4a|fast-fifo|text-decoder|bare-events|queue-tick)\//, 'tar parse/pack (tar-stream)'],
  [/lib\/archive\/(tar-header|tar-reader|tar-writer|chunk-queue)/, 'tar headers and bodies (lib/archive)'],
  [/node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|strnum)\//, 'AWS SDK (signing, requests)'],
  [/lib\/archive\/parallel-gzip/, 'gzip hand-off (parallel-gzip)'],
  [/lib\/archive\/(compressibility|stored-gzip)/, 'compressibility and stored members'],
  [/lib\/aws\/stream-upload/, 'part buffers (stream-upload)'],
  [/lib\//, 'our other code (lib/)'],
  [/^node:zlib|internal\/zlib/, 'zlib bindings (main thread)'],
  [/^node:buffer|internal\/buffer/, 'buffer copies'],
  [/internal\/crypto|^node:crypto/, 'hashing (node:crypto)'],
  [/_http|internal\/http|^node:net|internal\/stream_base|^node:http/, 'HTTP and sockets'],
  [/internal\/streams|^node:stream/, 'Node streams'],
];

function groupOf(source: string): string | undefined {
  return GROUPS.find(([pattern]) => pattern.test(source))?.[1];
}

/** Milliseconds of main-thread CPU per group, largest first; idle time left out. */
export function profileGroups(profileFile: string, bundleFile: string): [string, number][] {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const bundleUrl = `file://${bundleFile}`;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const groupCache = new Map<number, string>();
  const group = (id: number): string => {
    const cached = groupCache.get(id);
    if (cached) return cached;
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    let found: string;
    if (functionName === '(garbage collector)') found = 'garbage collection';
    else if (functionName === '(program)' || functionName === '(root)') found = 'native, outside JavaScript';
    else if (functionName === '(idle)') found = 'idle';
    else if (url === '') found = parentOf.has(id) ? group(parentOf.get(id)!) : 'native, outside JavaScript';
    else if (url === bundleUrl) {
      const source = (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }).originalSource ?? '';
      found = groupOf(source) ?? 'other bundled code';
    } else found = groupOf(url) ?? `other Node internals`;
    groupCache.set(id, found);
    return found;
  };

  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = group(id);
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  totals.delete('idle');
  return [...totals].sort((a, b) => b[1] - a[1]);
}
