import { describe, expect, it, vi } from 'vitest';
import type { BrokerEvent, InspectorState, LiveTurnSnapshot, ThreadEvent } from './brokerMessages.ts';
import { createLiveTurnStore, hasRunningTurn, type LiveStreamingEntry } from './liveTurns.ts';
import { chunksOf, streamedText } from './streamChunks.ts';
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
    expect(store.getSnapshot()).toEqual({ threads: {}, inspector: null, connection: null, link: { state: 'connecting' }, gaps: 0, workspaces: {} });
  });

  it('counts workspace changes per workspace', () => {
    const store = createLiveTurnStore();
    store.apply([{ kind: 'workspace.changed', workspaceId: 'w1', paths: ['a.txt'] }, { kind: 'workspace.changed', workspaceId: 'w1', paths: [] }]);
    store.apply([{ kind: 'workspace.changed', workspaceId: 'w2', paths: [] }]);
    expect(store.getSnapshot().workspaces).toEqual({ w1: 2, w2: 1 });
  });

  it('detach drops a thread it no longer hears, and the next sync starts afresh', () => {
    const store = createLiveTurnStore();
    store.apply([
      { kind: 'turn.started', threadId: 'a', turnId: 't1', tabId: 'x', seq: 1, userText: 'hi' },
      { kind: 'text.delta', threadId: 'a', turnId: 't1', seq: 2, request: 1, itemId: 'm1', delta: 'Hel' },
    ]);
    expect(store.getSnapshot().threads.a).toBeDefined();
    store.detach('a');
    expect(store.getSnapshot().threads.a).toBeUndefined();
    // Events it heard before leaving do not make the next ones look like a gap.
    const token = store.beginSync('a');
    const effects = store.endSync('a', token, { threadId: 'a', turnId: 't1', tabId: 'x', userText: 'hi', seq: 9, request: 1, items: [], streaming: [{ itemId: 'm1', text: 'Hello wor' }], approvals: [], changes: [] });
    expect(effects.resyncThreads).toEqual([]);
    store.apply([{ kind: 'text.delta', threadId: 'a', turnId: 't1', seq: 10, request: 1, itemId: 'm1', delta: 'ld' }]);
    const entry = store.getSnapshot().threads.a!.turns[0]!.entries[0]!;
    expect(entry.kind === 'streaming' && streamedText(entry.chunks)).toBe('Hello world');
  });

  it('builds a turn from started, deltas, done and ended', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'hi' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 1, resend: false, transport: 'ws' }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'Hel' }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'lo' }),
    ]);
    let turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn).toMatchObject({ turnId: 'tu1', tabId: 'tab1', userText: 'hi', status: 'running', requests: 1, transport: 'ws' });
    expect(turn.entries).toEqual([{ kind: 'streaming', itemId: 'm1', chunks: chunksOf('Hello'), request: 1 }]);
    expect(hasRunningTurn(store.getSnapshot().threads.th1)).toBe(true);

    const effects = store.apply([
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: assistant('m1', 'Hello!') }),
      ev({ kind: 'turn.ended', turnId: 'tu1', status: 'completed' }),
    ]);
    turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.status).toBe('completed');
    expect(turn.entries).toEqual([{ kind: 'done', item: assistant('m1', 'Hello!'), request: 1 }]);
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
      ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'Let me look' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: call }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: output }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'Done' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: assistant('m1', 'Let me look.') }),
    ]);
    const entries = store.getSnapshot().threads.th1!.turns[0]!.entries;
    expect(entries.map((e) => (e.kind === 'done' ? `done:${e.item.type}` : `streaming:${e.itemId}`))).toEqual([
      'done:message',
      'done:function_call',
      'done:function_call_output',
      'streaming:m2',
    ]);
  });

  it('voids everything of the dead request on a resend (text and finished items), keeps earlier requests', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    const call: Item = { type: 'function_call', id: 'fc1', call_id: 'c1', name: 'ls', arguments: '{}' };
    const output: Item = { type: 'function_call_output', call_id: 'c1', output: 'a b' };
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'go' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 1, resend: false, transport: 'ws' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: call }),
      // The tool output answers request 1, which completed: it is never void.
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: output }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 2, resend: false, transport: 'ws' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 2, item: assistant('m0', 'first of the dead one') }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 2, itemId: 'm1', delta: 'partial te' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 3, resend: true, transport: 'http', reason: 'socket closed' }),
      // Late events of the dead request are ignored.
      ev({ kind: 'text.delta', turnId: 'tu1', request: 2, itemId: 'm1', delta: 'xt' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 2, item: assistant('m1', 'partial text') }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 3, item: assistant('m7', 'first again') }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 3, itemId: 'm9', delta: 'fresh' }),
    ]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.entries).toEqual([
      { kind: 'done', item: call, request: 1 },
      { kind: 'done', item: output, request: 1 },
      { kind: 'done', item: assistant('m7', 'first again'), request: 3 },
      { kind: 'streaming', itemId: 'm9', chunks: chunksOf('fresh'), request: 3 },
    ]);
    expect(turn).toMatchObject({ requests: 3, resends: 1, transport: 'http', lastResendReason: 'socket closed', voided: [2] });
  });

  it('voids again on a second resend, and a resend of the first request leaves nothing', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1');
    store.apply([
      ev({ kind: 'turn.started', turnId: 'tu1', tabId: 'tab1', userText: 'go' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 1, resend: false, transport: 'ws' }),
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: assistant('a', 'one') }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 2, resend: true, transport: 'ws' }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 2, itemId: 'b', delta: 'two' }),
      ev({ kind: 'turn.request', turnId: 'tu1', request: 3, resend: true, transport: 'ws' }),
    ]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn.entries).toEqual([]);
    expect(turn).toMatchObject({ requests: 3, resends: 2, voided: [1, 2] });
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
    const deltas = Array.from({ length: 1000 }, () => ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'x' }));
    store.apply(deltas);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(streamedText((store.getSnapshot().threads.th1!.turns[0]!.entries[0] as LiveStreamingEntry).chunks)).toHaveLength(1000);

    const before = store.getSnapshot();
    expect(store.apply([{ kind: 'thread.changed', threadId: 'th1', record: false }])).toEqual({ invalidateThreads: ['th1'], relistThreads: false, resyncThreads: [] });
    expect(store.apply([{ kind: 'thread.changed', threadId: 'th2', record: true }, { kind: 'thread.changed', threadId: 'th1', record: false }])).toEqual({
      invalidateThreads: ['th2', 'th1'],
      relistThreads: true,
      resyncThreads: [],
    });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot()).toBe(before);

    unsubscribe();
    store.apply([ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'y' })]);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('returns new objects only along the changed path (structural sharing)', () => {
    const store = createLiveTurnStore();
    const a = threadStream('a');
    const b = threadStream('b');
    store.apply([
      a({ kind: 'turn.started', turnId: 'ta', tabId: 'tab', userText: 'x' }),
      a({ kind: 'item.done', turnId: 'ta', request: 1, item: assistant('m1', 'one') }),
      a({ kind: 'text.delta', turnId: 'ta', request: 1, itemId: 'm2', delta: 'tw' }),
      b({ kind: 'turn.started', turnId: 'tb', tabId: 'tab', userText: 'y' }),
    ]);
    const s1 = store.getSnapshot();
    store.apply([a({ kind: 'text.delta', turnId: 'ta', request: 1, itemId: 'm2', delta: 'o' })]);
    const s2 = store.getSnapshot();
    expect(s2).not.toBe(s1);
    expect(s2.threads.b).toBe(s1.threads.b);
    expect(s2.threads.a).not.toBe(s1.threads.a);
    expect(s2.threads.a!.turns[0]!.entries[0]).toBe(s1.threads.a!.turns[0]!.entries[0]);
    expect(s2.threads.a!.turns[0]!.entries[1]).not.toBe(s1.threads.a!.turns[0]!.entries[1]);
    // The old snapshot was not mutated.
    expect(streamedText((s1.threads.a!.turns[0]!.entries[1] as LiveStreamingEntry).chunks)).toBe('tw');
    expect(streamedText((s2.threads.a!.turns[0]!.entries[1] as LiveStreamingEntry).chunks)).toBe('two');

    store.apply([{ kind: 'connection', state: 'connected' }]);
    const s3 = store.getSnapshot();
    expect(s3.threads).toBe(s2.threads);
    expect(s3.connection).toEqual({ state: 'connected' });
    store.apply([{ kind: 'connection', state: 'connected' }]);
    expect(store.getSnapshot()).toBe(s3);
  });

  it('detects seq gaps per thread, counts them and asks for a resync', () => {
    const store = createLiveTurnStore();
    const events: BrokerEvent[] = [
      { kind: 'turn.started', threadId: 'th1', turnId: 'tu1', tabId: 't', userText: 'q', seq: 1 },
      { kind: 'text.delta', threadId: 'th1', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'ab', seq: 2 },
      { kind: 'turn.started', threadId: 'th2', turnId: 'tu2', tabId: 't', userText: 'q', seq: 7 },
    ];
    expect(store.apply(events).resyncThreads).toEqual([]);
    const effects = store.apply([{ kind: 'text.delta', threadId: 'th1', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'yz', seq: 5 }]);
    expect(effects.resyncThreads).toEqual(['th1']);
    expect(effects.invalidateThreads).toEqual(['th1']);
    expect(store.getSnapshot().gaps).toBe(1);
    // Continuity resumes from the new seq.
    expect(store.apply([{ kind: 'text.delta', threadId: 'th1', turnId: 'tu1', request: 1, itemId: 'm1', delta: '!', seq: 6 }]).resyncThreads).toEqual([]);
    expect(store.getSnapshot().gaps).toBe(1);
    // A seq that goes back (a broker that restarted unnoticed) is a gap as well.
    expect(store.apply([{ kind: 'turn.started', threadId: 'th2', turnId: 'tu3', tabId: 't', userText: 'q', seq: 1 }]).resyncThreads).toEqual(['th2']);
  });

  it('builds a turn from later events when the tab hears only those (a thread it never opened)', () => {
    const store = createLiveTurnStore();
    const ev = threadStream('th1', 40);
    store.apply([ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'middle of it' })]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn).toMatchObject({ tabId: null, userText: null, status: 'running' });
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
    const state: InspectorState = { transport: 'ws', sockets: [], cells: [], queued: 0, handshakes: 1, runningThreads: [] };
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
      ev({ kind: 'item.done', turnId: 'tu1', request: 1, item: assistant('m1', 'final') }),
      ev({ kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'late' }),
    ]);
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries).toEqual([{ kind: 'done', item: assistant('m1', 'final'), request: 1 }]);
  });
});

const snapshotOf = (over: Partial<LiveTurnSnapshot> = {}): LiveTurnSnapshot => ({
  threadId: 'th1',
  turnId: 'tu1',
  tabId: 'tabA',
  userText: 'the question',
  seq: 10,
  request: 1,
  items: [assistant('m1', 'done so far')],
  streaming: [{ itemId: 'm2', text: 'stream so f' }],
  approvals: [],
  changes: [],
  ...over,
});

describe('joining mid-turn: snapshot + seq', () => {
  const ev = (seq: number, event: Without<ThreadEvent, 'threadId' | 'seq'>): ThreadEvent => ({ ...event, threadId: 'th1', seq }) as ThreadEvent;

  it('seeds the turn from the snapshot, drops held events it includes and applies the later ones', () => {
    const store = createLiveTurnStore();
    // Before the sync this tab heard a piece of the turn (it had not opened the thread).
    store.apply([ev(8, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm1', delta: 'so far' })]);
    const token = store.beginSync('th1');
    const listener = vi.fn();
    store.subscribe(listener);
    // Held back while the sync runs: seq 10 is in the snapshot, 11 and 12 are not.
    store.apply([
      ev(10, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'f' }),
      ev(11, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'ar' }),
      ev(12, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: '!' }),
    ]);
    expect(listener).not.toHaveBeenCalled();
    const effects = store.endSync('th1', token, snapshotOf());
    expect(effects.resyncThreads).toEqual([]);
    const turn = store.getSnapshot().threads.th1!.turns[0]!;
    expect(turn).toMatchObject({ turnId: 'tu1', tabId: 'tabA', userText: 'the question', status: 'running', requests: 1, seededAtRequest: 1 });
    expect(turn.entries).toEqual([
      { kind: 'done', item: assistant('m1', 'done so far'), request: null },
      { kind: 'streaming', itemId: 'm2', chunks: chunksOf('stream so far!'), request: 1 },
    ]);
    store.apply([ev(13, { kind: 'item.done', turnId: 'tu1', request: 1, item: assistant('m2', 'stream so far!') })]);
    expect(store.getSnapshot().gaps).toBe(0);
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries.map((e) => e.kind)).toEqual(['done', 'done']);
  });

  it('drops events at or below the snapshot seq that arrive after the reply, until a later one came', () => {
    const store = createLiveTurnStore();
    const token = store.beginSync('th1');
    store.endSync('th1', token, snapshotOf({ items: [], streaming: [{ itemId: 'm2', text: 'abc' }] }));
    store.apply([
      ev(10, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'c' }),
      ev(11, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'd' }),
    ]);
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries).toEqual([{ kind: 'streaming', itemId: 'm2', chunks: chunksOf('abcd'), request: 1 }]);
    // After seq 11 arrived, a lower seq is no longer a late duplicate but a gap.
    expect(store.apply([ev(5, { kind: 'turn.metadata', turnId: 'tu1', value: 'v', accepted: true })]).resyncThreads).toEqual(['th1']);
  });

  it('with no running turn (null), drops turns this tab still thought running and applies every held event', () => {
    const store = createLiveTurnStore();
    store.apply([
      ev(3, { kind: 'turn.started', turnId: 'old', tabId: 't', userText: 'a' }),
      ev(4, { kind: 'text.delta', turnId: 'old', request: 1, itemId: 'x', delta: 'y' }),
    ]);
    const token = store.beginSync('th1');
    store.apply([ev(9, { kind: 'turn.started', turnId: 'new', tabId: 't', userText: 'b' })]);
    const effects = store.endSync('th1', token, null);
    expect(effects.invalidateThreads).toEqual(['th1']);
    expect(store.getSnapshot().threads.th1!.turns.map((t) => t.turnId)).toEqual(['new']);
    expect(store.getSnapshot().gaps).toBe(0);
  });

  it('when the call failed (undefined), applies the held events as they are', () => {
    const store = createLiveTurnStore();
    const token = store.beginSync('th1');
    store.apply([ev(1, { kind: 'turn.started', turnId: 'tu1', tabId: 't', userText: 'a' })]);
    expect(store.getSnapshot().threads.th1).toBeUndefined();
    store.endSync('th1', token, undefined);
    expect(store.getSnapshot().threads.th1!.turns).toHaveLength(1);
  });

  it('ignores a stale token and keeps holding for the newer sync', () => {
    const store = createLiveTurnStore();
    const first = store.beginSync('th1');
    store.apply([ev(11, { kind: 'text.delta', turnId: 'tu1', request: 1, itemId: 'm2', delta: 'X' })]);
    const second = store.beginSync('th1');
    expect(store.endSync('th1', first, snapshotOf())).toEqual({ invalidateThreads: [], relistThreads: false, resyncThreads: [] });
    expect(store.getSnapshot().threads.th1).toBeUndefined();
    store.endSync('th1', second, snapshotOf());
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries[1]).toEqual({ kind: 'streaming', itemId: 'm2', chunks: chunksOf('stream so fX'), request: 1 });
  });

  it('does not hold other threads’ events', () => {
    const store = createLiveTurnStore();
    store.beginSync('th1');
    store.apply([{ kind: 'turn.started', threadId: 'other', turnId: 'o', tabId: 't', userText: 'x', seq: 1 }]);
    expect(store.getSnapshot().threads.other!.turns).toHaveLength(1);
  });

  it('asks for a resync when a resend may void snapshot items of unknown request', () => {
    const store = createLiveTurnStore();
    const token = store.beginSync('th1');
    store.endSync('th1', token, snapshotOf({ request: 2 }));
    const effects = store.apply([ev(11, { kind: 'turn.request', turnId: 'tu1', request: 3, resend: true, transport: 'ws' })]);
    expect(effects.resyncThreads).toEqual(['th1']);
    // The streaming text is known to be of request 2 and is dropped at once.
    expect(store.getSnapshot().threads.th1!.turns[0]!.entries).toEqual([{ kind: 'done', item: assistant('m1', 'done so far'), request: null }]);
    // A later resend (of a request that began after the snapshot) cannot touch those items.
    const token2 = store.beginSync('th1');
    store.endSync('th1', token2, snapshotOf({ seq: 11, request: 3, streaming: [] }));
    const later = store.apply([
      ev(12, { kind: 'turn.request', turnId: 'tu1', request: 4, resend: false, transport: 'ws' }),
      ev(13, { kind: 'turn.request', turnId: 'tu1', request: 5, resend: true, transport: 'ws' }),
    ]);
    expect(later.resyncThreads).toEqual([]);
  });

  it('keeps a forgotten turn forgotten when a snapshot names it', () => {
    const store = createLiveTurnStore();
    store.forget('th1', 'tu1');
    const token = store.beginSync('th1');
    store.endSync('th1', token, snapshotOf());
    expect(store.getSnapshot().threads.th1).toBeUndefined();
  });
});

describe('broker restart and link state', () => {
  it('marks running turns interrupted, forgets seqs, pending syncs and the old broker’s state', () => {
    const store = createLiveTurnStore();
    store.apply([
      { kind: 'turn.started', threadId: 'a', turnId: 'ta', tabId: 't', userText: 'x', seq: 41 },
      { kind: 'turn.started', threadId: 'b', turnId: 'tb', tabId: 't', userText: 'y', seq: 7 },
      { kind: 'turn.ended', threadId: 'b', turnId: 'tb', status: 'completed', seq: 8 },
      { kind: 'connection', state: 'connected' },
      { kind: 'inspector', state: { transport: 'ws', sockets: [], cells: [], queued: 0, handshakes: 3, runningThreads: [] } },
    ]);
    const token = store.beginSync('a');
    store.brokerRestarted();
    const s = store.getSnapshot();
    expect(s.threads.a!.turns[0]!.status).toBe('interrupted');
    expect(s.threads.b!.turns[0]!.status).toBe('completed');
    expect(s.connection).toBeNull();
    expect(s.inspector).toBeNull();
    // The old sync's answer (a failure) changes nothing; events are no longer held.
    store.endSync('a', token, undefined);
    const effects = store.apply([{ kind: 'turn.started', threadId: 'a', turnId: 'tc', tabId: 't', userText: 'z', seq: 1 }]);
    expect(effects.resyncThreads).toEqual([]);
    expect(store.getSnapshot().threads.a!.turns.map((t) => t.turnId)).toEqual(['ta', 'tc']);
    expect(store.getSnapshot().gaps).toBe(0);
  });

  it('sets the link state and notifies only on change', () => {
    const store = createLiveTurnStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.setLink({ state: 'ready' });
    store.setLink({ state: 'ready' });
    expect(listener).toHaveBeenCalledTimes(1);
    store.setLink({ state: 'down', detail: 'no worker' });
    expect(store.getSnapshot().link).toEqual({ state: 'down', detail: 'no worker' });
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
