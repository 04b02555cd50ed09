import { describe, expect, it } from 'vitest';
import { unifiedDiff, type DiffLine } from './unifiedDiff.ts';

const equal = (...texts: string[]): DiffLine[] => texts.map((text) => ({ kind: 'equal', text }));
const remove = (text: string): DiffLine => ({ kind: 'remove', text });
const add = (text: string): DiffLine => ({ kind: 'add', text });
const side = (path: string, finalNewline = true) => ({ path, finalNewline });

describe('unifiedDiff', () => {
  it('shows each change with three lines of context, and merges changes whose context meets', () => {
    const far = [...equal('1', '2', '3', '4'), remove('5'), add('five'), ...equal('6', '7', '8', '9', '10', '11', '12'), add('12.5'), ...equal('13')];
    expect(unifiedDiff(side('f'), side('f'), far)).toBe(
      ['--- a/f', '+++ b/f', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', '@@ -10,4 +10,5 @@', ' 10', ' 11', ' 12', '+12.5', ' 13', ''].join('\n'),
    );
    const near = [...equal('1'), remove('2'), ...equal('3', '4', '5', '6', '7', '8'), add('9')];
    expect(unifiedDiff(side('f'), side('f'), near)).toBe(['--- a/f', '+++ b/f', '@@ -1,8 +1,8 @@', ' 1', '-2', ' 3', ' 4', ' 5', ' 6', ' 7', ' 8', '+9', ''].join('\n'));
  });

  it('shows an added and a deleted file against /dev/null', () => {
    expect(unifiedDiff(null, side('n'), [add('a'), add('b')])).toBe('--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff(side('d'), null, [remove('a')])).toBe('--- a/d\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n');
    expect(unifiedDiff(null, side('empty'), [])).toBe('--- /dev/null\n+++ b/empty\n');
  });

  it('shows a rename without changes as headers only', () => {
    expect(unifiedDiff(side('a'), side('b'), equal('x', 'y'))).toBe('--- a/a\n+++ b/b\n');
  });

  it('marks a last line without a line break, and shows a break that appears as a change', () => {
    expect(unifiedDiff(side('f', false), side('f', false), [...equal('a'), remove('b'), add('B')])).toBe(
      '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n',
    );
    // "b" gains a break because "c" now follows it; the file still ends without one.
    expect(unifiedDiff(side('f', false), side('f', false), [...equal('a', 'b'), add('c')])).toBe(
      '--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file\n',
    );
  });
});
