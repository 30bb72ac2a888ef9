// The paths an archive has put in the root filesystem so far, as a tree of name segments.
// A set of whole paths would cost a hash of every parent path for each entry, quadratic in
// the depth a hostile archive chooses; walking the tree costs one step per segment.
import { ArchiveError } from './errors.ts';
import { humanSize } from '../size.ts';

export type PathKind = 'file' | 'symlink' | 'other';

interface PathNode {
  kind: PathKind;
  children: Map<string, PathNode> | undefined;
}

/** Names are kept for the whole import; this bounds what an archive of long unique names costs. */
export const MAX_REMEMBERED_NAME_BYTES = 256 * 1024 ** 2;

export class PathTree {
  #root = new Map<string, PathNode>();
  #rememberedBytes = 0;

  /** The first symlink met on the way down to `path`: a parent, or the path itself when asked. */
  symlinkOnTheWay(path: string, includingItself: boolean): string | undefined {
    const segments = path.split('/');
    let children: Map<string, PathNode> | undefined = this.#root;
    for (const [index, segment] of segments.entries()) {
      const node: PathNode | undefined = children?.get(segment);
      if (!node) return undefined;
      const isLast = index === segments.length - 1;
      if (node.kind === 'symlink' && (includingItself || !isLast)) return segments.slice(0, index + 1).join('/');
      children = node.children;
    }
    return undefined;
  }

  kindOf(path: string): PathKind | undefined {
    let node: PathNode | undefined;
    let children: Map<string, PathNode> | undefined = this.#root;
    for (const segment of path.split('/')) {
      node = children?.get(segment);
      if (!node) return undefined;
      children = node.children;
    }
    return node?.kind;
  }

  /** Records the entry at `path`; its parents, when new, are implicit directories. */
  set(path: string, kind: PathKind): void {
    let children = this.#root;
    const segments = path.split('/');
    for (const [index, segment] of segments.entries()) {
      let node = children.get(segment);
      if (!node) {
        this.#remember(segment);
        node = { kind: 'other', children: undefined };
        children.set(segment, node);
      }
      if (index === segments.length - 1) node.kind = kind;
      else children = node.children ??= new Map();
    }
  }

  #remember(segment: string): void {
    this.#rememberedBytes += segment.length;
    if (this.#rememberedBytes > MAX_REMEMBERED_NAME_BYTES) {
      throw new ArchiveError(`Archive names take more than ${humanSize(MAX_REMEMBERED_NAME_BYTES)}, the most allowed`);
    }
  }
}
