import { describe, expect, it } from 'vitest';
import { createTurnStateCell, createTurnStateCells } from './turnStateCell.ts';

describe('turn-state cell', () => {
  it('starts empty, keeps the first value and ignores later ones', () => {
    const cell = createTurnStateCell();
    expect(cell.get()).toBeUndefined();
    expect(cell.offer('v1')).toBe(true);
    expect(cell.offer('v2')).toBe(false);
    expect(cell.get()).toBe('v1');
  });

  it('keys cells by (tab, turn) and forgets released ones', () => {
    const cells = createTurnStateCells();
    const a = cells.open({ tabId: 'tab-a', turnId: 't1' }, 'thread-1');
    const b = cells.open({ tabId: 'tab-b', turnId: 't1' }, 'thread-2');
    a.offer('va');
    expect(b.get()).toBeUndefined();
    expect(() => cells.open({ tabId: 'tab-a', turnId: 't1' }, 'thread-1')).toThrow(/already has a cell/);
    cells.release({ tabId: 'tab-a', turnId: 't1' });
    expect(cells.list().map((c) => c.tabId)).toEqual(['tab-b']);
    // A new turn, even with the old key, starts empty.
    expect(cells.open({ tabId: 'tab-a', turnId: 't1' }, 'thread-1').get()).toBeUndefined();
  });
});
