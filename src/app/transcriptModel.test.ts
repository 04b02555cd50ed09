import { describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../core/brokerMessages.ts';
import { createLiveTurnStore } from '../core/liveTurns.ts';
import type { ItemRecord, TurnRecord } from '../core/threadStore.ts';
import { userMessage, type Item } from '../core/wire.ts';
import type { ThreadData } from './queries.ts';
import { buildTranscript } from './transcriptModel.ts';

const say = (id: string, text: string): Item => ({ type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text }] });
const turn = (id: string, startedAt: number, status: TurnRecord['status'], userText = `q ${id}`): TurnRecord => ({
  id,
  threadId: 'th',
  tabId: 'tab',
  userText,
  status,
  startedAt,
});

function data(turns: TurnRecord[], items: [turnId: string, item: Item][]): ThreadData {
  const records: ItemRecord[] = items.map(([turnId, item], index) => ({ threadId: 'th', turnId, index, item }));
  return { thread: { id: 'th', title: 'T', createdAt: 0, updatedAt: 0 }, turns, items: records };
}

type Without<E, K extends string> = E extends unknown ? Omit<E, K> : never;

function liveThread(events: Without<ThreadEvent, 'threadId' | 'seq'>[]) {
  const store = createLiveTurnStore();
  store.apply(events.map((e, i) => ({ ...e, threadId: 'th', seq: i + 1 }) as ThreadEvent));
  return store.getSnapshot().threads.th;
}

const shape = (t: ReturnType<typeof buildTranscript>) =>
  t.turns.map((turn) => ({
    id: turn.turnId,
    user: turn.userText,
    status: turn.status,
    entries: turn.entries.map((e) =>
      e.kind === 'streaming' ? `~${e.chunks.frozen.join('')}${e.chunks.tail}` : e.kind === 'saved-text' ? `…${e.text}` : e.item.type === 'message' ? (e.item as { content: { text: string }[] }).content[0]!.text : e.item.type,
    ),
  }));

describe('buildTranscript', () => {
  it('renders persisted turns with their items, without repeating the user message', () => {
    const t = buildTranscript(
      data(
        [turn('t1', 1, 'completed', 'hello'), turn('t2', 2, 'completed', 'again')],
        [
          ['t1', userMessage('hello')],
          ['t1', say('a', 'hi there')],
          ['t2', userMessage('again')],
          ['t2', say('b', 'sure')],
        ],
      ),
      undefined,
    );
    expect(shape(t)).toEqual([
      { id: 't1', user: 'hello', status: 'completed', entries: ['hi there'] },
      { id: 't2', user: 'again', status: 'completed', entries: ['sure'] },
    ]);
    expect(t.running).toBe(false);
    expect(t.forget).toEqual([]);
  });

  it('shows the live version of a running turn and ignores its persisted items', () => {
    const live = liveThread([
      { kind: 'turn.started', turnId: 't2', tabId: 'tab', userText: 'again' },
      { kind: 'item.done', turnId: 't2', request: 1, item: say('b', 'part one') },
      { kind: 'text.delta', turnId: 't2', request: 1, itemId: 'c', delta: 'strea' },
    ]);
    const t = buildTranscript(
      data(
        [turn('t1', 1, 'completed', 'hello'), turn('t2', 2, 'running', 'again')],
        [
          ['t1', say('a', 'hi')],
          ['t2', userMessage('again')],
          ['t2', say('b', 'part one')],
        ],
      ),
      live,
    );
    expect(shape(t)).toEqual([
      { id: 't1', user: 'hello', status: 'completed', entries: ['hi'] },
      { id: 't2', user: 'again', status: 'running', entries: ['part one', '~strea'] },
    ]);
    expect(t.running).toBe(true);
  });

  it('appends live turns that are not persisted yet', () => {
    const live = liveThread([{ kind: 'turn.started', turnId: 't9', tabId: 'tab', userText: 'new' }]);
    const t = buildTranscript(data([turn('t1', 1, 'completed')], []), live);
    expect(t.turns.map((x) => [x.turnId, x.status])).toEqual([
      ['t1', 'completed'],
      ['t9', 'running'],
    ]);
    expect(buildTranscript(undefined, live).turns.map((x) => x.userText)).toEqual(['new']);
  });

  it('prefers persisted data once it shows the turn ended, and asks to forget the live turn', () => {
    const live = liveThread([
      { kind: 'turn.started', turnId: 't1', tabId: 'tab', userText: 'hello' },
      { kind: 'item.done', turnId: 't1', request: 1, item: say('a', 'hi') },
      { kind: 'turn.ended', turnId: 't1', status: 'completed' },
    ]);
    const t = buildTranscript(data([turn('t1', 1, 'completed', 'hello')], [['t1', say('a', 'hi')]]), live);
    expect(shape(t)).toEqual([{ id: 't1', user: 'hello', status: 'completed', entries: ['hi'] }]);
    expect(t.forget).toEqual(['t1']);
  });

  it('keeps the live turn while the persisted record still says running, even after turn.ended', () => {
    const live = liveThread([
      { kind: 'turn.started', turnId: 't1', tabId: 'tab', userText: 'hello' },
      { kind: 'turn.ended', turnId: 't1', status: 'failed', error: 'upstream 500' },
    ]);
    const t = buildTranscript(data([turn('t1', 1, 'running', 'hello')], []), live);
    expect(t.turns[0]).toMatchObject({ status: 'failed', error: 'upstream 500' });
    expect(t.running).toBe(false);
    expect(t.forget).toEqual([]);
  });

  it('takes the user text from the persisted record when the tab joined mid-turn', () => {
    const live = liveThread([{ kind: 'text.delta', turnId: 't1', request: 1, itemId: 'm', delta: 'abc' }]);
    const t = buildTranscript(data([turn('t1', 1, 'running', 'the question')], []), live);
    expect(t.turns[0]!.userText).toBe('the question');
    expect(t.turns[0]!.entries[0]).toMatchObject({ kind: 'streaming', chunks: { frozen: [], tail: 'abc' } });
  });

  it('counts a persisted running turn without live events as running', () => {
    expect(buildTranscript(data([turn('t1', 1, 'running')], []), undefined).running).toBe(true);
  });

  it('gives entries stable, unique keys', () => {
    const live = liveThread([
      { kind: 'turn.started', turnId: 't2', tabId: 'tab', userText: 'x' },
      { kind: 'item.done', turnId: 't2', request: 1, item: { type: 'function_call_output', call_id: 'c', output: 'o' } },
      { kind: 'text.delta', turnId: 't2', request: 1, itemId: 'm', delta: 'y' },
    ]);
    const t = buildTranscript(data([turn('t1', 1, 'completed')], [['t1', say('a', 'one')], ['t1', say('b', 'two')]]), live);
    const keys = t.turns.flatMap((x) => x.entries.map((e) => e.key));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keys an item by its id while it streams, once done, and once re-read, so its DOM stays', () => {
    const events: Without<ThreadEvent, 'threadId' | 'seq'>[] = [
      { kind: 'turn.started', turnId: 't1', tabId: 'tab', userText: 'q' },
      { kind: 'text.delta', turnId: 't1', request: 1, itemId: 'm', delta: 'hel' },
    ];
    const keyOf = (t: ReturnType<typeof buildTranscript>) => t.turns[0]!.entries.map((e) => `${e.kind} ${e.key}`);
    const streaming = buildTranscript(data([turn('t1', 1, 'running', 'q')], []), liveThread(events));
    events.push({ kind: 'item.done', turnId: 't1', request: 1, item: say('m', 'hello') });
    const done = buildTranscript(data([turn('t1', 1, 'running', 'q')], []), liveThread(events));
    const reread = buildTranscript(data([turn('t1', 1, 'completed', 'q')], [['t1', userMessage('q')], ['t1', say('m', 'hello')]]), liveThread(events));
    expect(keyOf(streaming)).toEqual(['streaming id:m']);
    expect(keyOf(done)).toEqual(['item id:m']);
    expect(keyOf(reread)).toEqual(['item id:m']);
  });

  it('never gives two entries of a turn the same key, even for a repeated id', () => {
    const t = buildTranscript(data([turn('t1', 1, 'completed', 'q')], [['t1', say('m', 'one')], ['t1', say('m', 'two')], ['t1', say('m#1', 'three')]]), undefined);
    const keys = t.turns[0]!.entries.map((e) => e.key);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  });

  it('shows a running turn’s saved progress when this tab has no live version of it', () => {
    const running: TurnRecord = {
      ...turn('t1', 1, 'running', 'q'),
      progress: { items: [say('a', 'first part')], streaming: [{ itemId: 'b', text: 'second pa' }], savedAt: 5 },
    };
    const t = buildTranscript(data([running], [['t1', userMessage('q')]]), undefined);
    expect(shape(t)).toEqual([{ id: 't1', user: 'q', status: 'running', entries: ['first part', '~second pa'] }]);
    expect(t.running).toBe(true);
  });

  it('shows an interrupted turn with its saved items and text, once each, and offers a retry', () => {
    const interrupted: TurnRecord = {
      ...turn('t2', 2, 'interrupted', 'do it'),
      error: 'The app was closed while this turn ran.',
      progress: { items: [say('a', 'already saved'), say('b', 'only in progress')], streaming: [{ itemId: 'c', text: 'cut off' }], savedAt: 5 },
    };
    const t = buildTranscript(
      data(
        [turn('t1', 1, 'completed', 'hello'), interrupted],
        [
          ['t1', say('z', 'hi')],
          ['t2', userMessage('do it')],
          ['t2', say('a', 'already saved')],
        ],
      ),
      undefined,
    );
    expect(shape(t)[1]).toEqual({ id: 't2', user: 'do it', status: 'interrupted', entries: ['already saved', 'only in progress', '…cut off'] });
    expect(t.running).toBe(false);
    expect(t.retryText).toBe('do it');
    const keys = t.turns[1]!.entries.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('offers a retry only for the last turn, when it failed or was interrupted and nothing runs', () => {
    expect(buildTranscript(data([turn('t1', 1, 'failed', 'x')], []), undefined).retryText).toBe('x');
    expect(buildTranscript(data([turn('t1', 1, 'failed', 'x'), turn('t2', 2, 'completed')], []), undefined).retryText).toBeNull();
    expect(buildTranscript(data([turn('t1', 1, 'stopped', 'x')], []), undefined).retryText).toBeNull();
    expect(buildTranscript(data([turn('t1', 1, 'completed')], []), undefined).retryText).toBeNull();
    const live = liveThread([{ kind: 'turn.started', turnId: 't9', tabId: 'tab', userText: 'again' }]);
    expect(buildTranscript(data([turn('t1', 1, 'failed', 'x')], []), live).retryText).toBeNull();
  });

  it('shows the text of a live turn that ended without finishing as saved text', () => {
    const live = liveThread([
      { kind: 'turn.started', turnId: 't1', tabId: 'tab', userText: 'q' },
      { kind: 'text.delta', turnId: 't1', request: 1, itemId: 'm', delta: 'half' },
      { kind: 'turn.ended', turnId: 't1', status: 'failed', error: 'boom' },
    ]);
    const t = buildTranscript(data([turn('t1', 1, 'running', 'q')], []), live);
    expect(shape(t)).toEqual([{ id: 't1', user: 'q', status: 'failed', entries: ['…half'] }]);
  });
});
