import { describe, expect, it } from 'vitest';
import { watchWakeSignals } from './wakeSignals.ts';

describe('watchWakeSignals', () => {
  it('wakes on online and when the tab becomes visible, not when it is hidden', () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    const wakes: string[] = [];
    const watch = watchWakeSignals({ window: win, document: doc }, (why) => wakes.push(why));
    win.dispatchEvent(new Event('online'));
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(wakes).toEqual(['online', 'visible']);
    watch.close();
    win.dispatchEvent(new Event('online'));
    expect(wakes).toHaveLength(2);
  });
});
