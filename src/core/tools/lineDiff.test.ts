import { describe, expect, it } from 'vitest';
import type { DiffLine } from '../patch/unifiedDiff.ts';
import { diffLines } from './lineDiff.ts';

/** The diff as " a", "-b", "+c" rows. */
const rows = (lines: DiffLine[]) => lines.map((l) => `${l.kind === 'equal' ? ' ' : l.kind === 'remove' ? '-' : '+'}${l.text}`);
/** Both sides, rebuilt from an edit script. */
const sides = (lines: DiffLine[]) => ({ before: lines.filter((l) => l.kind !== 'add').map((l) => l.text), after: lines.filter((l) => l.kind !== 'remove').map((l) => l.text) });

describe('diffLines', () => {
  it('finds a shortest edit script, removals before additions in each block', () => {
    expect(rows(diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']))).toEqual([' a', '-b', '+x', ' c', ' d', '+e']);
    expect(rows(diffLines(['a', 'b', 'c', 'a', 'b', 'b', 'a'], ['c', 'b', 'a', 'b', 'a', 'c'])).filter((r) => r[0] !== ' ')).toHaveLength(5); // Myers' paper example: D = 5
  });

  it('handles empty sides and equal inputs', () => {
    expect(rows(diffLines([], ['a']))).toEqual(['+a']);
    expect(rows(diffLines(['a'], []))).toEqual(['-a']);
    expect(rows(diffLines(['a', 'b'], ['a', 'b']))).toEqual([' a', ' b']);
    expect(diffLines([], [])).toEqual([]);
  });

  it('always rebuilds both sides exactly', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: Math.floor(random() * 30) }, () => 'abcd'[Math.floor(random() * 4)]!);
      const after = Array.from({ length: Math.floor(random() * 30) }, () => 'abcd'[Math.floor(random() * 4)]!);
      expect(sides(diffLines(before, after))).toEqual({ before, after });
      expect(sides(diffLines(before, after, 3))).toEqual({ before, after }); // past the edit bound too
    }
  });

  it('stays fast and correct past its edit bound: a 20,000-line rewrite', () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `old ${i}`);
    const after = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? `old ${i}` : `new ${i}`));
    const started = performance.now();
    const lines = diffLines(before, after);
    expect(sides(lines)).toEqual({ before, after });
    // Not a timing assertion on speed, only a guard against the quadratic blow-up (jsdiff: 35 s).
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
