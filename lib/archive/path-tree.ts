// The paths an archive has put in the root filesystem so far, as a tree of name segments.
// A set of whole paths would cost a hash of every parent path for each entry, quadratic in
// the depth a hostile archive chooses; walking the tree costs one step per segment.
//
// The tree lives for the whole import and has a node for every entry, so its size per entry
// is what an import of many small files grows by. It is kept in typed arrays and one buffer of
// name bytes, outside the V8 heap: a Map per directory cost a string and a hash table slot per
// entry (60 bytes at 11 characters; a segment of 13 and more, a slice of the entry's name,
// kept that whole name alive), the collector marked them all at every full collection, and the
// heap's growth slack multiplied them. Here a node is 9 bytes, its name's bytes and a slot of a
// hash table keyed by (parent, name).
import { randomInt } from 'node:crypto';
import { ArchiveError } from './errors.ts';
import { humanSize } from '../size.ts';

export type PathKind = 'file' | 'symlink' | 'other';

const KINDS: readonly PathKind[] = ['file', 'symlink', 'other'];
const code = (kind: PathKind): number => KINDS.indexOf(kind);
const OTHER = code('other');
const SYMLINK = code('symlink');

/** Names are kept for the whole import; this bounds what an archive of long unique names costs. */
export const MAX_REMEMBERED_NAME_BYTES = 256 * 1024 ** 2;

const ROOT = 0;
/** An empty slot of the hash table: the root is no one's child, so its id is free for this. */
const EMPTY = ROOT;
const SLASH = 0x2f;
/** Starts a segment stored as UTF-16: no UTF-8 encoding has this byte, so it equals none of those. */
const UTF16_MARK = 0xff;
/** A lone surrogate, which UTF-8 would turn into U+FFFD like any other one and so confuse. */
const LONE_SURROGATE = /\p{Cs}/u;

export class PathTree {
  /** Node i's parent, and where its name ends in #names (it starts where node i - 1's ends). */
  #parents = new Uint32Array(1024);
  #nameEnds = new Uint32Array(1024);
  #kinds = new Uint8Array(1024);
  #nodes = 1; // the root, nameless
  /** The names of all nodes, in node order; past #namesUsed, the segments of the path at hand. */
  #names = Buffer.from(new ArrayBuffer(16 * 1024));
  #namesUsed = 0;
  /** Open addressing with linear probing, at most half full: node ids, EMPTY where there is none. */
  #slots = new Uint32Array(2048);
  /** Drawn per tree: the slots an archive's names fall into are not known before it is read. */
  #seed = randomInt(2 ** 32);
  #rememberedBytes = 0;
  /** The path at hand, as [start, end) ranges of #names: its first #segments. */
  #segmentStarts: number[] = [];
  #segmentEnds: number[] = [];
  #segments = 0;
  #encodedPath: string | undefined;

  constructor(private readonly maxRememberedNameBytes = MAX_REMEMBERED_NAME_BYTES) {}

  /** The first symlink met on the way down to `path`: a parent, or the path itself when asked. */
  symlinkOnTheWay(path: string, includingItself: boolean): string | undefined {
    const segments = this.#encode(path);
    let node = ROOT;
    for (let index = 0; index < segments; index++) {
      node = this.#find(node, index);
      if (node === EMPTY) return undefined;
      const isLast = index === segments - 1;
      if (this.#kinds[node] === SYMLINK && (includingItself || !isLast)) return path.split('/').slice(0, index + 1).join('/');
    }
    return undefined;
  }

  kindOf(path: string): PathKind | undefined {
    const segments = this.#encode(path);
    let node = ROOT;
    for (let index = 0; index < segments; index++) {
      node = this.#find(node, index);
      if (node === EMPTY) return undefined;
    }
    return KINDS[this.#kinds[node]!];
  }

  /** Records the entry at `path`; its parents, when new, are implicit directories. */
  set(path: string, kind: PathKind): void {
    const segments = this.#encode(path);
    let node = ROOT;
    for (let index = 0; index < segments; index++) {
      const child = this.#find(node, index);
      node = child === EMPTY ? this.#add(node, index) : child;
    }
    this.#kinds[node] = code(kind);
  }

  /**
   * Writes `path`'s segments past the names kept, where a new node's name is then copied from,
   * and answers how many there are: `split('/')`'s segments, without a string for each. An
   * entry asks about its path and then sets it, so the last path stays written until a new
   * node takes its place.
   */
  #encode(path: string): number {
    if (path === this.#encodedPath) return this.#segments;
    const starts = this.#segmentStarts;
    const ends = this.#segmentEnds;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the marked UTF-16 form at most 2 plus the mark.
    this.#reserveNames(3 * path.length + 1);
    const names = this.#names;
    let at = this.#namesUsed;
    let segments = 0;
    if (!LONE_SURROGATE.test(path)) {
      const end = at + names.write(path, at, 'utf8');
      starts[0] = at;
      // No byte of a multi-byte UTF-8 sequence is a '/'.
      for (let index = at; index < end; index++) {
        if (names[index] !== SLASH) continue;
        ends[segments++] = index;
        starts[segments] = index + 1;
      }
      ends[segments++] = end;
    } else {
      for (const segment of path.split('/')) {
        starts[segments] = at;
        if (LONE_SURROGATE.test(segment)) {
          names[at++] = UTF16_MARK;
          at += names.write(segment, at, 'utf16le');
        } else at += names.write(segment, at, 'utf8');
        ends[segments++] = at;
      }
    }
    this.#encodedPath = path;
    this.#segments = segments;
    return segments;
  }

  /** The child of `parent` named by segment `index` of the path at hand, or EMPTY. */
  #find(parent: number, index: number): number {
    const start = this.#segmentStarts[index]!;
    const end = this.#segmentEnds[index]!;
    const mask = this.#slots.length - 1;
    for (let slot = this.#hash(parent, start, end) & mask; ; slot = (slot + 1) & mask) {
      const node = this.#slots[slot]!;
      if (node === EMPTY || (this.#parents[node] === parent && this.#isNamed(node, start, end))) return node;
    }
  }

  #isNamed(node: number, start: number, end: number): boolean {
    const names = this.#names;
    const nameStart = this.#nameEnds[node - 1]!;
    if (this.#nameEnds[node]! - nameStart !== end - start) return false;
    for (let offset = 0; offset < end - start; offset++) if (names[nameStart + offset] !== names[start + offset]) return false;
    return true;
  }

  /** A new child of `parent` named by segment `index` of the path at hand, an implicit directory. */
  #add(parent: number, index: number): number {
    const start = this.#segmentStarts[index]!;
    const end = this.#segmentEnds[index]!;
    this.#remember(start, end);
    this.#encodedPath = undefined; // its segments move
    if (this.#nodes === this.#kinds.length) this.#growNodes();
    if (2 * (this.#nodes + 1) > this.#slots.length) this.#growSlots();
    const node = this.#nodes++;
    // The segment moves down to the end of the names kept: never over a segment still to come,
    // since it moves by at most the bytes of the segments before it.
    this.#names.copyWithin(this.#namesUsed, start, end);
    this.#namesUsed += end - start;
    this.#parents[node] = parent;
    this.#nameEnds[node] = this.#namesUsed;
    this.#kinds[node] = OTHER;
    this.#place(node);
    return node;
  }

  #place(node: number): void {
    const mask = this.#slots.length - 1;
    let slot = this.#hash(this.#parents[node]!, this.#nameEnds[node - 1]!, this.#nameEnds[node]!) & mask;
    while (this.#slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#slots[slot] = node;
  }

  /** FNV-1a over the parent's id and the name's bytes, from the tree's seed, then murmur3's finalizer. */
  #hash(parent: number, start: number, end: number): number {
    const names = this.#names;
    let hash = Math.imul(this.#seed ^ parent, 0x01000193);
    for (let index = start; index < end; index++) hash = Math.imul(hash ^ names[index]!, 0x01000193);
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    return (hash ^ (hash >>> 16)) >>> 0;
  }

  /** Counts a new segment's UTF-16 units, as the strings it is read from measure it. */
  #remember(start: number, end: number): void {
    const names = this.#names;
    let units = 0;
    if (end > start && names[start] === UTF16_MARK) units = (end - start - 1) / 2;
    else {
      for (let index = start; index < end; index++) {
        const byte = names[index]!;
        // A lead byte of four starts a character beyond the BMP: a surrogate pair.
        if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
      }
    }
    this.#rememberedBytes += units;
    if (this.#rememberedBytes > this.maxRememberedNameBytes) {
      throw new ArchiveError(`Archive names take more than ${humanSize(this.maxRememberedNameBytes)}, the most allowed`);
    }
  }

  // Each table grows into a buffer twice its size and the old one is freed at once, where a
  // copy would stay until a full collection (few come once the heap stays flat). What the new
  // one has beyond its content is zeros that take no memory until written.
  #growNodes(): void {
    const nodes = 2 * this.#kinds.length;
    this.#parents = new Uint32Array(this.#parents.buffer.transfer(4 * nodes));
    this.#nameEnds = new Uint32Array(this.#nameEnds.buffer.transfer(4 * nodes));
    this.#kinds = new Uint8Array(this.#kinds.buffer.transfer(nodes));
  }

  /** Doubles the table and places every node again: the nodes know their parents and names. */
  #growSlots(): void {
    this.#slots = new Uint32Array(this.#slots.buffer.transfer(2 * this.#slots.byteLength)).fill(EMPTY);
    for (let node = 1; node < this.#nodes; node++) this.#place(node);
  }

  #reserveNames(bytes: number): void {
    const needed = this.#namesUsed + bytes;
    if (needed <= this.#names.length) return;
    let capacity = this.#names.length;
    while (capacity < needed) capacity *= 2;
    this.#names = Buffer.from(this.#names.buffer.transfer(capacity));
  }
}
