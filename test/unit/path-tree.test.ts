import { describe, expect, it } from 'vitest';
import { PathTree } from '../../lib/archive/path-tree.ts';
import { ArchiveError } from '../../lib/archive/errors.ts';

describe('PathTree', () => {
  it('knows the kind of every path it was given and of nothing else', () => {
    const tree = new PathTree();
    tree.set('etc/passwd', 'file');
    tree.set('bin', 'symlink');
    tree.set('usr/lib/empty', 'other');
    expect(tree.kindOf('etc/passwd')).toBe('file');
    expect(tree.kindOf('bin')).toBe('symlink');
    expect(tree.kindOf('usr/lib/empty')).toBe('other');
    // Parents put there implicitly are directories.
    expect(tree.kindOf('etc')).toBe('other');
    expect(tree.kindOf('usr/lib')).toBe('other');
    expect(tree.kindOf('etc/shadow')).toBeUndefined();
    expect(tree.kindOf('etc/passwd/x')).toBeUndefined();
    expect(tree.kindOf('usr/lib/empty/x')).toBeUndefined();
  });

  it('keeps a path\'s kind when something is put under it, and takes the latest kind given', () => {
    const tree = new PathTree();
    tree.set('data', 'file');
    tree.set('data/inner', 'file');
    expect(tree.kindOf('data')).toBe('file');
    expect(tree.kindOf('data/inner')).toBe('file');
    tree.set('data', 'other');
    expect(tree.kindOf('data')).toBe('other');
    expect(tree.kindOf('data/inner')).toBe('file');
    tree.set('leaf', 'other');
    tree.set('leaf', 'symlink');
    expect(tree.kindOf('leaf')).toBe('symlink');
  });

  it('finds the first symlink on the way to a path, the path itself only when asked', () => {
    const tree = new PathTree();
    tree.set('usr/lib', 'symlink');
    tree.set('usr/share/doc', 'file');
    expect(tree.symlinkOnTheWay('usr/lib/x/y', false)).toBe('usr/lib');
    expect(tree.symlinkOnTheWay('usr/lib', false)).toBeUndefined();
    expect(tree.symlinkOnTheWay('usr/lib', true)).toBe('usr/lib');
    expect(tree.symlinkOnTheWay('usr/share/doc', true)).toBeUndefined();
    expect(tree.symlinkOnTheWay('opt/x', true)).toBeUndefined();
    // A symlink that later has entries under it (recorded before it became one) still counts.
    tree.set('var/run/pid', 'file');
    tree.set('var/run', 'symlink');
    expect(tree.symlinkOnTheWay('var/run/pid', true)).toBe('var/run');
  });
});

describe('PathTree at scale and with any name', () => {
  it('keeps every path of a large tree apart, across the growth of its tables', () => {
    const tree = new PathTree();
    const kinds = ['file', 'symlink', 'other'] as const;
    const pathOf = (i: number) => `usr/share/package-with-a-long-name-${i % 37}/${i % 5 === 0 ? 'a/b/' : ''}file-${i}`;
    for (let i = 0; i < 20_000; i++) tree.set(pathOf(i), kinds[i % 3]!);
    for (let i = 0; i < 20_000; i++) expect(tree.kindOf(pathOf(i))).toBe(kinds[i % 3]);
    expect(tree.kindOf('usr/share/package-with-a-long-name-3')).toBe('other');
    expect(tree.kindOf('usr/share/package-with-a-long-name-37')).toBeUndefined();
    expect(tree.kindOf('usr/share/file-1')).toBeUndefined();
    expect(tree.kindOf('usr/share/package-with-a-long-name-1/file-38')).toBe('other');
    expect(tree.kindOf('usr/share/package-with-a-long-name-1/file-3')).toBeUndefined();
  });

  it('tells names apart that differ only in characters beyond ASCII, lone surrogates included', () => {
    const tree = new PathTree();
    tree.set('home/józef/\u{1F600}', 'file');
    tree.set('bad/\uD800', 'file');
    tree.set('bad/\uDC00x', 'symlink');
    expect(tree.kindOf('home/józef/\u{1F600}')).toBe('file');
    expect(tree.kindOf('home/jozef')).toBeUndefined();
    expect(tree.kindOf('bad/\uD800')).toBe('file');
    // UTF-8 would have made each of these the replacement character.
    expect(tree.kindOf('bad/\uFFFD')).toBeUndefined();
    expect(tree.kindOf('bad/\uDBFF')).toBeUndefined();
    expect(tree.kindOf('bad/\uDC00x')).toBe('symlink');
    expect(tree.kindOf('bad/\uFFFDx')).toBeUndefined();
    expect(tree.symlinkOnTheWay('bad/\uDC00x/y', false)).toBe('bad/\uDC00x');
  });

  it('keeps a path that is a prefix of another apart from it, and the empty segment too', () => {
    const tree = new PathTree();
    tree.set('lib/x86_64', 'file');
    tree.set('lib/x86', 'symlink');
    tree.set('a//b', 'file');
    expect(tree.kindOf('lib/x86_64')).toBe('file');
    expect(tree.kindOf('lib/x86')).toBe('symlink');
    expect(tree.kindOf('lib/x8')).toBeUndefined();
    expect(tree.kindOf('a/')).toBe('other');
    expect(tree.kindOf('a//b')).toBe('file');
    expect(tree.kindOf('a/b')).toBeUndefined();
  });

  it('refuses an archive whose names take more than the most it may remember', () => {
    // Counted in UTF-16 units, once per new segment: 'usr' and 'lib' count once.
    const tree = new PathTree(10);
    tree.set('usr/lib/ab', 'file');
    tree.set('usr/lib/cd', 'file');
    expect(() => tree.set('usr/lib/e', 'file')).toThrow(ArchiveError);
    expect(tree.kindOf('usr/lib/cd')).toBe('file');
    expect(tree.kindOf('usr/lib/e')).toBeUndefined();
    expect(() => new PathTree(2).set('é\u{1F600}', 'file')).toThrow('Archive names take more than');
    expect(() => new PathTree(3).set('é\u{1F600}', 'file')).not.toThrow();
    // An empty segment counts nothing, whatever follows it.
    const empty = new PathTree(1);
    empty.set('////\uD800', 'file');
    expect(() => empty.set('x', 'file')).toThrow(ArchiveError);
  });
});

describe('PathTree against a map of whole paths', () => {
  it('answers as the map does for any sequence of paths', () => {
    // A small alphabet makes paths share parents and names and collide in every way.
    const alphabet = ['a', 'b', 'é', '\u{1F600}', '\uD800', '\uFFFD', '/', '/'];
    let state = 42;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const randomPath = () => Array.from({ length: 1 + random(7) }, () => alphabet[random(alphabet.length)]).join('');
    const kinds = ['file', 'symlink', 'other'] as const;

    const tree = new PathTree();
    const model = new Map<string, (typeof kinds)[number]>();
    const modelSymlinkOnTheWay = (path: string, includingItself: boolean) => {
      const segments = path.split('/');
      for (let index = 0; index < segments.length; index++) {
        const prefix = segments.slice(0, index + 1).join('/');
        if (!model.has(prefix)) return undefined;
        if (model.get(prefix) === 'symlink' && (includingItself || index < segments.length - 1)) return prefix;
      }
      return undefined;
    };
    for (let step = 0; step < 5_000; step++) {
      const path = randomPath();
      expect(tree.kindOf(path)).toBe(model.get(path));
      expect(tree.symlinkOnTheWay(path, step % 2 === 0)).toBe(modelSymlinkOnTheWay(path, step % 2 === 0));
      if (random(2) === 0) continue;
      const kind = kinds[random(3)]!;
      const segments = path.split('/');
      for (let index = 1; index < segments.length; index++) {
        const parent = segments.slice(0, index).join('/');
        if (!model.has(parent)) model.set(parent, 'other');
      }
      model.set(path, kind);
      tree.set(path, kind);
    }
    for (const [path, kind] of model) expect(tree.kindOf(path)).toBe(kind);
  });
});
