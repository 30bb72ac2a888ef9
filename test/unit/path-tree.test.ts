import { describe, expect, it } from 'vitest';
import { PathTree } from '../../lib/archive/path-tree.ts';

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
