import { describe, expect, it } from 'vitest';
import { createThreadWatchers } from './threadWatchers.ts';

const port = (name: string) => ({ name });

describe('createThreadWatchers', () => {
  it('gives a thread the ports of the tabs that opened it, one per tab', () => {
    const watchers = createThreadWatchers<{ name: string }>();
    const a = port('a');
    const b = port('b');
    watchers.watch('tab-a', 'th1', a);
    watchers.watch('tab-b', 'th1', b);
    watchers.watch('tab-a', 'th1', a); // a resync opens it again
    expect(watchers.portsFor('th1')).toEqual([a, b]);
    expect(watchers.portsFor('th2')).toEqual([]);
  });

  it('moves a tab to the thread it opened last: the one it left no longer reaches it', () => {
    const watchers = createThreadWatchers<{ name: string }>();
    const a = port('a');
    watchers.watch('tab-a', 'th1', a);
    watchers.watch('tab-a', 'th2', a);
    expect(watchers.portsFor('th1')).toEqual([]);
    expect(watchers.portsFor('th2')).toEqual([a]);
  });

  it('follows a tab onto its new port (a reconnect after the back/forward cache)', () => {
    const watchers = createThreadWatchers<{ name: string }>();
    const old = port('old');
    const fresh = port('new');
    watchers.watch('tab-a', 'th1', old);
    watchers.watch('tab-a', 'th1', fresh);
    expect(watchers.portsFor('th1')).toEqual([fresh]);
  });

  it('forgets a tab that said bye, and only that tab', () => {
    const watchers = createThreadWatchers<{ name: string }>();
    const a = port('a');
    const b = port('b');
    watchers.watch('tab-a', 'th1', a);
    watchers.watch('tab-b', 'th1', b);
    watchers.forget('tab-a');
    watchers.forget('tab-unknown');
    expect(watchers.portsFor('th1')).toEqual([b]);
    watchers.forget('tab-b');
    expect(watchers.portsFor('th1')).toEqual([]);
  });
});
