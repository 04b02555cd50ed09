import { describe, expect, it, vi } from 'vitest';
import type { BrokerEvent, InspectorState, ThreadEvent } from './brokerMessages.ts';
import { createLiveTurnStore, hasRunningTurn, type LiveStreamingEntry } from './liveTurns.ts';
import type { Item } from './wire.ts';

type Without<E, K extends string> = E extends unknown ? Omit<E, K> : never;

/** Builds thread events for one thread with consecutive seq numbers. */
function threadStream(threadId: string, firstSeq = 1) {
  let seq = firstSeq;
  return (event: Without<ThreadEvent, 'threadId' | 'seq'>): ThreadEvent =>
    ({ ...event, threadId, seq: seq++ }) as ThreadEvent;
}

const assistant = (id: string, text: string): Item => ({
  type: 'message',
  id,
  role: 'assistant',
  content: [{ type: 'output_text', text }],
});

describe('createLiveTurnStore', () => {
  it('starts empty', () => {
    const store = createLiveTurnStore();
    expect(store.getSnapshot()).toEqual({ threads: {}, inspector: null, connection: null, gaps: 0 });
  });

  it('builds a turn from started, deltas, done and ended', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'hi' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 1, resend: false, transport: 'ws' }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'Hel' }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'lo' }),
    ]);
    let turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn).toMatchObject({ turnId: 'tu1', tabId: 'tab1', userText: 'hi', status: 'running', requests: 1, transport: 'ws' });
    expect(turn.entries).toEqual([{ kind: 'streaming', itemId: 'm1', text: 'Hello', partial: false }]);
    expect(hasRunningTurn(store.getSnapshot().threads.th1)).toBe(true);

    const effects = store.apply([
      ev({ kind: 'item.done', turnId: 'tu1', item: assistant('m1', 'Hello!') }),
      ev({ kind: 'turn.ended', turnId: 'tu1', status: 'completed' }),
    ]);
    turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.status).toBe('completed');
    expect(turn.entries).toEqual([{ kind: 'done', item: assistant('m1', 'Hello!') }]);
    expect(effects.invalidateThreads).toEqual(['th1']);
    expect(hasRunningTurn(store.getSnapshot().threads.th1)).toBe(false);
  });

  it('keeps entries in first-appearance order; done replaces its streaming entry in place', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    const call: Item = { type: 'function_call', id: 'fc1', call_id: 'c1', name: 'ls', arguments: '{}' };
    const output: Item = { type: 'function_call_output', call_id: 'c1', output: 'a b' };
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'go' }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'Let me look' }),
      ev({ kind: 'item.done', turnId: 'tu1', item: call }),
      ev({ kind: 'item.done', turnId: 'tu1', item: output }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm2', delta: 'Done' }),
      ev({ kind: 'item.done', turnId: 'tu1', item: assistant('m1', 'Let me look.') }),
    ]);
    const entries = store.getSnapshot().threads.th1!.turns[0]!.entries;
    expect(entries.map((e) => (e.kind === 'done' ? `done:${e.item.type}` : `streaming:${e.itemId}`))).toEqual([
      'done:message',
      'done:function_call',
      'done:function_call_output',
      'streaming:m2',
    ]);
  });

  it('drops unfinished streaming text on a resend but keeps finished items', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'go' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 1, resend: false, transport: 'ws' }),
      ev({ kind: 'item.done', turnId: 'tu1', item: assistant('m0', 'first') }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'partial te' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 2, resend: true, transport: 'http', reason: 'socket closed' }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm9', delta: 'fresh' }),
    ]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.entries).toEqual([
      { kind: 'done', item: assistant('m0', 'first') },
      { kind: 'streaming', itemId: 'm9', text: 'fresh', partial: false },
    ]);
    expect(turn).toMatchObject({ requests: 2, resends: 1, transport: 'http', lastResendReason: 'socket closed' });
  });

  it('records turn-state values with their accepted flags and the turn error', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'go' }),
      ev({ kind: 'turn.metadata', turnId: 'tu1', value: 'v1', accepted: true }),
      ev({ kind: 'turn.metadata', turnId: 'tu1', value: 'v2', accepted: false }),
      ev({ kind: 'turn.ended', turnId: 'tu1', status: 'failed', error: 'upstream said no' }),
    ]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.metadata).toEqual([
      { value: 'v1', accepted: true },
      { value: 'v2', accepted: false },
    ]);
    expect(turn).toMatchObject({ status: 'failed', error: 'upstream said no' });
  });

  it('notifies once per batch and only when something changed', () => {
    const store = createLiveTurnStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    const ev = threadStream('th1');
    const deltas = Array.from({ length: 1000 }, () => ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'x' }));
    store.apply(deltas);
    expect(listener).toHaveBeenCalledTimes(1);
    expect((store.getSnapshot().threads.th1!.turns[0]!.entries[0] as LiveStreamingEntry).text).toHaveLength(1000);

    const before = store.getSnapshot();
    store.apply([{ kind: 'thread.changed', threadId: 'th1' }]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot()).toBe(before);

    unsubscribe();
    store.apply([ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'y' })]);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('returns new objects only along the changed path (structural sharing)', () => {
    const store = createLiveTurnStore();
    const a = threadStream('a');
    const b = threadStream('b');
    store.apply([
      a({ kind: 'turn.started', turnId: 'ta', tabId: 'tab', userText: 'x' }),
      a({ kind: 'item.done', turnId: 'ta', item: assistant('m1', 'one') }),
      a({ kind: 'text.delta', turnId: 'ta', itemId: 'm2', delta: 'tw' }),
      b({ kind: 'turn.started', turnId: 'tb', tabId: 'tab', userText: 'y' }),
    ]);
    const s1 = store.getSnapshot();
    store.apply([a({ kind: 'text.delta', turnId: 'ta', itemId: 'm2', delta: 'o' })]);
    const s2 = store.getSnapshot();
    expect(s2).not.toBe(s1);
    expect(s2.threads.b).toBe(s1.threads.b);
    expect(s2.threads.a).not.toBe(s1.threads.a);
    expect(s2.threads.a!.turns[0]!.entries[0]).toBe(s1.threads.a!.turns[0]!.entries[0]);
    expect(s2.threads.a!.turns[0]!.entries[1]).not.toBe(s1.threads.a!.turns[0]!.entries[1]);
    // The old snapshot was not mutated.
    expect((s1.threads.a!.turns[0]!.entries[1] as LiveStreamingEntry).text).toBe('tw');
    expect((s2.threads.a!.turns[0]!.entries[1] as LiveStreamingEntry).text).toBe('two');

    store.apply([{ kind: 'connection', state: 'connected' }]);
    const s3 = store.getSnapshot();
    expect(s3.threads).toBe(s2.threads);
    expect(s3.connection).toEqual({ state: 'connected' });
    store.apply([{ kind: 'connection', state: 'connected' }]);
    expect(store.getSnapshot()).toBe(s3);
  });

  it('detects seq gaps per thread, counts them and asks for invalidation', () => {
    const store = createLiveTurnStore();
    const events: BrokerEvent[] = [
      { kind: 'turn.started', threadId: 'th1', turnId: 'tu1', tabId: 't', userText: 'q', seq: 1 },
      { kind: 'text.delta', threadId: 'th1', turnId: 'tu1', itemId: 'm1', delta: 'ab', seq: 2 },
      { kind: 'turn.started', threadId: 'th2', turnId: 'tu2', tabId: 't', userText: 'q', seq: 7 },
    ];
    expect(store.apply(events).gapThreads).toEqual([]);
    const effects = store.apply([{ kind: 'text.delta', threadId: 'th1', turnId: 'tu1', itemId: 'm1', delta: 'yz', seq: 5 }]);
    expect(effects.gapThreads).toEqual(['th1']);
    expect(effects.invalidateThreads).toEqual(['th1']);
    expect(store.getSnapshot().gaps).toBe(1);
    // The text of an item that streamed across the gap is incomplete.
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries[0]).toEqual({ kind: 'streaming', itemId: 'm1', text: 'abyz', partial: true });
    // Continuity resumes from the new seq.
    expect(store.apply([{ kind: 'text.delta', threadId: 'th1', turnId: 'tu1', itemId: 'm1', delta: '!', seq: 6 }]).gapThreads).toEqual([]);
    expect(store.getSnapshot().gaps).toBe(1);
  });

  it('marks text as partial when the tab joins a turn mid-stream, but not new items after that', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1', 40);
    store.apply([
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'middle of it' }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm2', delta: 'whole' }),
    ]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn).toMatchObject({ tabId: null, userText: null, status: 'running' });
    expect(turn.entries).toEqual([
      { kind: 'streaming', itemId: 'm1', text: 'middle of it', partial: true },
      { kind: 'streaming', itemId: 'm2', text: 'whole', partial: false },
    ]);
    expect(store.getSnapshot().gaps).toBe(0);
  });

  it('forget drops a turn and ignores its late events', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 't', userText: 'a' }),
      ev({ kind: 'turn.ended', turnId: 'tu1', status: 'completed' }),
      ev({ kind: 'turn.started', turnId: 'tu2', tabId: 't', userText: 'b' }),
    ]);
    const listener = vi.fn();
    store.subscribe(listener);
    store.forget('th1', 'tu1');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot().threads.th1!.turns.map((t) => t.turnId)).toEqual(['tu2']);
    store.apply([ev({ kind: 'turn.ended', turnId: 'tu1', status: 'failed', error: 'late' })]);
    expect(store.getSnapshot().threads.th1!.turns.map((t) => t.turnId)).toEqual(['tu2']);
    store.forget('th1', 'tu2');
    expect(store.getSnapshot().threads.th1).toBeUndefined();
    // Forgetting something unknown changes nothing.
    const before = store.getSnapshot();
    store.forget('nope', 'nothing');
    expect(store.getSnapshot()).toBe(before);
  });

  it('keeps the latest inspector and connection state', () => {
    const store = createLiveTurnStore();
    const state: InspectorState = { transport: 'ws', sockets: [], cells: [], queued: 0, handshakes: 1 };
    store.apply([
      { kind: 'connection', state: 'connecting' },
      { kind: 'inspector', state },
      { kind: 'connection', state: 'unreachable', detail: 'relay down' },
    ]);
    expect(store.getSnapshot().inspector).toBe(state);
    expect(store.getSnapshot().connection).toEqual({ state: 'unreachable', detail: 'relay down' });
  });

  it('ignores a delta for an item that already finished', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 't', userText: 'a' }),
      ev({ kind: 'item.done', turnId: 'tu1', item: assistant('m1', 'final') }),
      ev({ kind: 'text.delta', turnId: 'tu1', itemId: 'm1', delta: 'late' }),
    ]);
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries).toEqual([{ kind: 'done', item: assistant('m1', 'final') }]);
  });
});
