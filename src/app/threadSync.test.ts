import { describe, expect, it, vi } from 'vitest';
import type { LiveTurnSnapshot, ThreadEvent } from '../core/brokerMessages.ts';
import { createLiveTurnStore } from '../core/liveTurns.ts';
import { streamedText } from '../core/streamChunks.ts';
import { flushMicrotasks } from './testing/fakes.ts';
import { createThreadSync } from './threadSync.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const snap = (seq: number, text: string): LiveTurnSnapshot => ({ threadId: 'th', turnId: 'tu', tabId: 't', userText: 'q', seq, request: 1, items: [], streaming: [{ itemId: 'm', text }], approvals: [], changes: [] });
const delta = (seq: number, d: string): ThreadEvent => ({ kind: 'text.delta', threadId: 'th', turnId: 'tu', seq, request: 1, itemId: 'm', delta: d });

function setup() {
  const live = createLiveTurnStore();
  const calls: { threadId: string; answer: ReturnType<typeof deferred<{ live: LiveTurnSnapshot | null }>> }[] = [];
  const onEffects = vi.fn();
  const sync = createThreadSync({
    live,
    openThread: (threadId) => {
      const answer = deferred<{ live: LiveTurnSnapshot | null }>();
      calls.push({ threadId, answer });
      return answer.promise;
    },
    onEffects,
  });
  const text = () => {
    const entry = live.getSnapshot().threads.th?.turns[0]?.entries[0];
    return entry?.kind === 'streaming' ? streamedText(entry.chunks) : undefined;
  };
  return { live, calls, onEffects, sync, text };
}

describe('createThreadSync', () => {
  it('opens a thread once, holding its events until the snapshot, and not again while in sync', async () => {
    const { live, calls, sync, text } = setup();
    sync.open('th');
    live.apply([delta(5, 'c'), delta(6, 'd')]);
    expect(text()).toBeUndefined();
    calls[0]!.answer.resolve({ live: snap(5, 'abc') });
    await flushMicrotasks();
    expect(text()).toBe('abcd');
    sync.open('other');
    sync.open('th');
    expect(calls.map((c) => c.threadId)).toEqual(['th', 'other']);
  });

  it('syncs the open thread again after a gap; a thread not on screen waits until it is opened', async () => {
    const { live, calls, sync, text } = setup();
    sync.open('th');
    calls[0]!.answer.resolve({ live: snap(5, 'abc') });
    await flushMicrotasks();
    const effects = live.apply([delta(9, 'X')]);
    sync.resync(effects.resyncThreads);
    expect(calls).toHaveLength(2);
    calls[1]!.answer.resolve({ live: snap(9, 'abcdefghX') });
    await flushMicrotasks();
    expect(text()).toBe('abcdefghX');

    sync.open(null);
    sync.resync(['th']);
    expect(calls).toHaveLength(2);
    sync.open('th');
    expect(calls).toHaveLength(3);
  });

  it('keeps one call in flight per thread and asks again once it answered', async () => {
    const { calls, sync } = setup();
    sync.open('th');
    sync.resync(['th']);
    sync.resync(['th']);
    expect(calls).toHaveLength(1);
    calls[0]!.answer.resolve({ live: null });
    await flushMicrotasks();
    expect(calls).toHaveLength(2);
  });

  it('after a failed call, releases the held events and tries again on the next open', async () => {
    const { live, calls, sync, text } = setup();
    sync.open('th');
    live.apply([delta(1, 'a')]);
    calls[0]!.answer.reject(new Error('broker stopped'));
    await flushMicrotasks();
    expect(text()).toBe('a');
    sync.open('th');
    expect(calls).toHaveLength(2);
  });

  it('reset forgets what was in sync and what was in flight, and syncs the open thread', async () => {
    const { calls, sync, text } = setup();
    sync.open('th');
    sync.reset();
    expect(calls).toHaveLength(2);
    calls[0]!.answer.resolve({ live: snap(3, 'stale') });
    await flushMicrotasks();
    expect(text()).toBeUndefined();
    calls[1]!.answer.resolve({ live: snap(1, 'new broker') });
    await flushMicrotasks();
    expect(text()).toBe('new broker');
  });

  it('passes on what the held events call for (an ended turn: re-read the thread)', async () => {
    const { live, calls, sync, onEffects } = setup();
    sync.open('th');
    live.apply([{ kind: 'turn.ended', threadId: 'th', turnId: 'tu', seq: 6, status: 'completed' }]);
    calls[0]!.answer.resolve({ live: snap(5, 'abc') });
    await flushMicrotasks();
    expect(onEffects).toHaveBeenCalledWith({ invalidateThreads: ['th'], relistThreads: false, resyncThreads: [] });
  });
});
