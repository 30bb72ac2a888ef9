// The root filesystem of the `demo` image a fresh stack offers: small (about 300 entries,
// 4 MiB) but with every kind of entry an export has to carry (nested directories, text,
// binary, executable, symlink, hardlink, empty file and directory, a sticky and a mode-0
// file). Generated from a fixed seed and mtime, so every call yields the same bytes.
import type { ArchiveEntry, TarHeader } from '../archive/entry.ts';

const DEMO_MTIME = new Date('2024-01-01T00:00:00Z');
const DEMO_SEED = 0x5eed_1e55;
const CHUNK_BYTES = 64 * 1024;

const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root' };
const DEMO_USER = { uid: 1000, gid: 1000, uname: 'demo', gname: 'demo' };
type Owner = typeof ROOT;

interface DemoEntry {
  header: TarHeader;
  /** Files only: the bytes, produced when the entry is read. */
  content?: () => Iterable<Buffer>;
}

export function demoRootfs(): AsyncIterable<ArchiveEntry> {
  return entriesOf(demoLayout());
}

async function* entriesOf(layout: DemoEntry[]): AsyncGenerator<ArchiveEntry> {
  for (const { header, content } of layout) {
    yield { header, body: toAsync(content ? content() : []) };
  }
}

async function* toAsync(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* chunks;
}

function demoLayout(): DemoEntry[] {
  const random = mulberry32(DEMO_SEED);
  const entries: DemoEntry[] = [];
  const directory = (name: string, mode = 0o755, owner: Owner = ROOT) =>
    entries.push({ header: header(name, 'directory', mode, 0, owner) });
  const text = (name: string, content: string, mode = 0o644, owner: Owner = ROOT) => {
    const bytes = Buffer.from(content);
    entries.push({ header: header(name, 'file', mode, bytes.length, owner), content: () => [bytes] });
  };
  const binary = (name: string, size: number) => {
    const seed = random();
    entries.push({ header: header(name, 'file', 0o644, size, ROOT), content: () => randomChunks(seed, size) });
  };
  const link = (name: string, type: 'symlink' | 'link', target: string) =>
    // A hardlink shares its target's mode; a symlink's own mode means nothing on Linux.
    entries.push({ header: { ...header(name, type, type === 'link' ? 0o755 : 0o777, 0, ROOT), linkname: target } });

  for (const name of ['bin', 'etc', 'etc/demo', 'home']) directory(name);
  directory('home/demo', 0o750, DEMO_USER);
  directory('tmp', 0o1777);
  for (const name of ['usr', 'usr/bin', 'usr/lib', 'usr/lib/demo', 'usr/share', 'usr/share/doc', 'usr/share/doc/demo']) {
    directory(name);
  }
  for (const name of ['var', 'var/empty', 'var/lib', 'var/lib/demo', 'var/log']) directory(name);

  text('README', 'stevedore demo image\n\nA small deterministic root filesystem for trying export and import.\n');
  text('bin/hello', '#!/bin/sh\necho "Hello from the stevedore demo image"\n', 0o755);
  link('bin/sh', 'symlink', 'hello');
  link('usr/bin/hello', 'link', 'bin/hello');
  link('usr/bin/sh', 'symlink', '/bin/sh');
  text('etc/hostname', 'demo\n');
  text('etc/os-release', 'NAME="Stevedore Demo"\nID=stevedore-demo\nVERSION_ID=1.0\nPRETTY_NAME="Stevedore Demo 1.0"\n');
  text('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\ndemo:x:1000:1000:demo:/home/demo:/bin/sh\n');
  text('etc/group', 'root:x:0:\ndemo:x:1000:\n');
  text('etc/shadow', 'root:*:19723:0:99999:7:::\ndemo:!:19723:0:99999:7:::\n', 0o000);
  text('etc/motd', '');
  text('etc/demo/settings.conf', prose(random, 40));
  text('home/demo/.profile', 'export PATH=/bin:/usr/bin\n', 0o644, DEMO_USER);
  text('var/log/demo.log', logLines(random, 300));
  text('var/lib/demo/state', '');

  for (let index = 0; index < 6; index += 1) {
    binary(`usr/lib/demo/libdemo-${index}.so`, 192 * 1024 + Math.floor(fraction(random) * 512 * 1024));
  }
  for (let index = 0; index < 20; index += 1) {
    text(`usr/share/doc/demo/chapter-${pad(index)}.txt`, prose(random, 20 + Math.floor(fraction(random) * 120)));
  }
  directory('usr/share/demo');
  directory('usr/share/demo/data');
  for (let group = 0; group < 8; group += 1) {
    directory(`usr/share/demo/data/${pad(group)}`);
    for (let index = 0; index < 30; index += 1) {
      binary(`usr/share/demo/data/${pad(group)}/blob-${pad(index)}.bin`, 256 + Math.floor(fraction(random) * 12 * 1024));
    }
  }
  return entries;
}

function header(name: string, type: TarHeader['type'], mode: number, size: number, owner: Owner): TarHeader {
  return { name, type, mode, size, mtime: DEMO_MTIME, linkname: '', devmajor: 0, devminor: 0, ...owner };
}

function* randomChunks(seed: number, size: number): Generator<Buffer> {
  const random = mulberry32(seed);
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, size - offset);
    const words = new Uint32Array(Math.ceil(length / 4));
    for (let index = 0; index < words.length; index += 1) words[index] = random();
    yield Buffer.from(words.buffer, 0, length);
  }
}

const WORDS = (
  'container image layer archive export import volume network bridge port share folder task ' +
  'progress station root filesystem config entry stream gzip tar block header mode owner link'
).split(' ');

function prose(random: () => number, lines: number): string {
  let text = '';
  for (let line = 0; line < lines; line += 1) {
    const length = 4 + Math.floor(fraction(random) * 10);
    const words = Array.from({ length }, () => WORDS[random() % WORDS.length]);
    text += `${words.join(' ')}.\n`;
  }
  return text;
}

function logLines(random: () => number, lines: number): string {
  let text = '';
  for (let line = 0; line < lines; line += 1) {
    const second = line * 7 + (random() % 7);
    const time = new Date(DEMO_MTIME.getTime() - 86_400_000 + second * 1000).toISOString();
    text += `${time} demo[${100 + (random() % 900)}]: ${WORDS[random() % WORDS.length]} ok\n`;
  }
  return text;
}

const pad = (index: number) => index.toString().padStart(3, '0');

const fraction = (random: () => number) => random() / 2 ** 32;

/** A tiny seeded PRNG (uint32 out): the same seed gives the same sequence everywhere. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
