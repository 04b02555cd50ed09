import { describe, expect, it } from 'vitest';
import type { WorkspaceEntry } from '../core/workspace.ts';
import { buildTree, treeKeyAction, visibleNodes, type Listings } from './fileTreeModel.ts';

const dir = (path: string): WorkspaceEntry => ({ path, kind: 'directory' });
const file = (path: string, size = 1): WorkspaceEntry => ({ path, kind: 'file', size });

const listings: Listings = new Map<string, WorkspaceEntry[] | undefined>([
  ['', [file('README.md'), dir('src'), file('a10.txt'), file('a9.txt'), dir('docs')]],
  ['src', [file('src/main.ts', 50), dir('src/lib')]],
  ['src/lib', [file('src/lib/x.ts')]],
  ['docs', undefined], // being read
]);

describe('buildTree / visibleNodes', () => {
  it('shows folders first, then files, by name with numbers in order; collapsed folders hide children', () => {
    const rows = visibleNodes(buildTree(listings, new Set()));
    expect(rows.map((r) => r.path)).toEqual(['docs', 'src', 'a9.txt', 'a10.txt', 'README.md']);
    expect(rows.map((r) => [r.posInSet, r.setSize, r.level])).toEqual([
      [1, 5, 1],
      [2, 5, 1],
      [3, 5, 1],
      [4, 5, 1],
      [5, 5, 1],
    ]);
    expect(rows[0]).toMatchObject({ name: 'docs', kind: 'directory', expanded: false, loading: false, parent: null });
  });

  it('nests expanded folders, marks ones still being read', () => {
    const rows = visibleNodes(buildTree(listings, new Set(['src', 'src/lib', 'docs'])));
    expect(rows.map((r) => `${r.level}:${r.name}`)).toEqual(['1:docs', '1:src', '2:lib', '3:x.ts', '2:main.ts', '1:a9.txt', '1:a10.txt', '1:README.md']);
    expect(rows.find((r) => r.path === 'docs')).toMatchObject({ expanded: true, loading: true, children: [] });
    expect(rows.find((r) => r.path === 'src/main.ts')).toMatchObject({ size: 50, parent: 'src', posInSet: 2, setSize: 2 });
  });

  it('an expanded folder inside a collapsed one stays hidden', () => {
    const rows = visibleNodes(buildTree(listings, new Set(['src/lib'])));
    expect(rows.map((r) => r.path)).not.toContain('src/lib/x.ts');
  });
});

describe('treeKeyAction (WAI-ARIA tree keys)', () => {
  const rows = visibleNodes(buildTree(listings, new Set(['src'])));
  // docs, src, src/lib, src/main.ts, a9.txt, a10.txt, README.md

  it('moves with the arrows, Home and End, and stops at the ends', () => {
    expect(treeKeyAction(rows, 'docs', 'ArrowDown')).toEqual({ kind: 'focus', path: 'src' });
    expect(treeKeyAction(rows, 'src', 'ArrowDown')).toEqual({ kind: 'focus', path: 'src/lib' });
    expect(treeKeyAction(rows, 'a9.txt', 'ArrowUp')).toEqual({ kind: 'focus', path: 'src/main.ts' });
    expect(treeKeyAction(rows, 'docs', 'ArrowUp')).toBeNull();
    expect(treeKeyAction(rows, 'README.md', 'ArrowDown')).toBeNull();
    expect(treeKeyAction(rows, 'src/main.ts', 'Home')).toEqual({ kind: 'focus', path: 'docs' });
    expect(treeKeyAction(rows, 'docs', 'End')).toEqual({ kind: 'focus', path: 'README.md' });
  });

  it('Right expands a closed folder, then enters it; Left collapses, then goes to the parent', () => {
    expect(treeKeyAction(rows, 'src/lib', 'ArrowRight')).toEqual({ kind: 'expand', path: 'src/lib' });
    expect(treeKeyAction(rows, 'src', 'ArrowRight')).toEqual({ kind: 'focus', path: 'src/lib' });
    expect(treeKeyAction(rows, 'README.md', 'ArrowRight')).toBeNull();
    expect(treeKeyAction(rows, 'src', 'ArrowLeft')).toEqual({ kind: 'collapse', path: 'src' });
    expect(treeKeyAction(rows, 'src/main.ts', 'ArrowLeft')).toEqual({ kind: 'focus', path: 'src' });
    expect(treeKeyAction(rows, 'docs', 'ArrowLeft')).toBeNull();
  });

  it('Enter and Space activate; other keys do nothing; a lost focus goes to the first row', () => {
    expect(treeKeyAction(rows, 'a9.txt', 'Enter')).toEqual({ kind: 'activate', path: 'a9.txt' });
    expect(treeKeyAction(rows, 'src', ' ')).toEqual({ kind: 'activate', path: 'src' });
    expect(treeKeyAction(rows, 'src', 'x')).toBeNull();
    expect(treeKeyAction(rows, 'gone', 'ArrowDown')).toEqual({ kind: 'focus', path: 'docs' });
    expect(treeKeyAction([], 'gone', 'ArrowDown')).toBeNull();
  });
});

