// The paths an archive has put in the root filesystem so far, as a tree of name segments.
// A set of whole paths would cost a hash of every parent path for each entry, quadratic in
// the depth a hostile archive chooses; walking the tree costs one step per segment.
//
// The tree lives for the whole import and has a node for every entry, so its size per entry
// is what an import of many small files grows by: a path nothing was put under yet (a file, a
// symlink, an empty directory; most entries) is only its kind, a small integer in its parent's
// map, and a node object with a map of children exists only for the paths that are parents.
import { ArchiveError } from './errors.ts';
import { humanSize } from '../size.ts';

export type PathKind = 'file' | 'symlink' | 'other';

const KINDS: readonly PathKind[] = ['file', 'symlink', 'other'];
/** A path's kind as stored: its index in KINDS. */
type KindCode = number;
const code = (kind: PathKind): KindCode => KINDS.indexOf(kind);

/** A path something was put under. */
interface Parent {
  kind: KindCode;
  children: Children;
}
/** A path: its kind alone while nothing is under it, a Parent once something is. */
type PathNode = KindCode | Parent;
type Children = Map<string, PathNode>;

const kindCodeOf = (node: PathNode): KindCode => (typeof node === 'number' ? node : node.kind);
const childrenOf = (node: PathNode): Children | undefined => (typeof node === 'number' ? undefined : node.children);

/** Names are kept for the whole import; this bounds what an archive of long unique names costs. */
export const MAX_REMEMBERED_NAME_BYTES = 256 * 1024 ** 2;

export class PathTree {
  #root: Children = new Map();
  #rememberedBytes = 0;

  /** The first symlink met on the way down to `path`: a parent, or the path itself when asked. */
  symlinkOnTheWay(path: string, includingItself: boolean): string | undefined {
    const segments = path.split('/');
    let children: Children | undefined = this.#root;
    for (const [index, segment] of segments.entries()) {
      const node: PathNode | undefined = children?.get(segment);
      if (node === undefined) return undefined;
      const isLast = index === segments.length - 1;
      if (KINDS[kindCodeOf(node)] === 'symlink' && (includingItself || !isLast)) return segments.slice(0, index + 1).join('/');
      children = childrenOf(node);
    }
    return undefined;
  }

  kindOf(path: string): PathKind | undefined {
    let node: PathNode | undefined;
    let children: Children | undefined = this.#root;
    for (const segment of path.split('/')) {
      node = children?.get(segment);
      if (node === undefined) return undefined;
      children = childrenOf(node);
    }
    return node === undefined ? undefined : KINDS[kindCodeOf(node)];
  }

  /** Records the entry at `path`; its parents, when new, are implicit directories. */
  set(path: string, kind: PathKind): void {
    let children = this.#root;
    const segments = path.split('/');
    for (const [index, segment] of segments.entries()) {
      const node = children.get(segment);
      if (node === undefined) this.#remember(segment);
      if (index === segments.length - 1) {
        if (node === undefined || typeof node === 'number') children.set(segment, code(kind));
        else node.kind = code(kind);
        return;
      }
      if (node === undefined || typeof node === 'number') {
        const parent: Parent = { kind: node ?? code('other'), children: new Map() };
        children.set(segment, parent);
        children = parent.children;
      } else children = node.children;
    }
  }

  #remember(segment: string): void {
    this.#rememberedBytes += segment.length;
    if (this.#rememberedBytes > MAX_REMEMBERED_NAME_BYTES) {
      throw new ArchiveError(`Archive names take more than ${humanSize(MAX_REMEMBERED_NAME_BYTES)}, the most allowed`);
    }
  }
}
