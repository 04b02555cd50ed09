import { describe, expect, it } from 'vitest';
import type { BrokerEvent, BrokerEventBatch } from './brokerMessages.ts';
import { createEventBatcher, type EventTopic } from './eventBatcher.ts';
import { createManualClock, flushMicrotasks } from './testing/fakes.ts';

function setup(options: { maxEvents?: number } = {}) {
  const clock = createManualClock();
  const sent: { topic: EventTopic; batch: BrokerEventBatch; at: number }[] = [];
  const batcher = createEventBatcher({ clock, publish: (topic, batch) => sent.push({ topic, batch, at: clock.now() }), ...options });
  return { clock, sent, batcher };
}

const delta = (seq: number, text: string, itemId = 'm1', threadId = 'th'): BrokerEvent => ({ kind: 'text.delta', threadId, turnId: 't1', seq, request: 1, itemId, delta: text });

describe('createEventBatcher', () => {
  it('sends the first event after a quiet spell at the end of the task, with whatever that task produced', async () => {
    const { sent, batcher, clock } = setup();
    batcher.push(delta(1, 'a'));
    batcher.push({ kind: 'thread.changed', threadId: 'th', record: true });
    expect(sent).toHaveLength(0);
    await flushMicrotasks();
    expect(sent.map((s) => s.topic)).toEqual(['th', null]);
    expect(sent[0]!.at).toBe(clock.now()); // no window waited out
  });

  it('holds events that follow a flush within the window, then sends them together', async () => {
    const { sent, batcher, clock } = setup();
    batcher.push(delta(1, 'a'));
    await flushMicrotasks();
    await clock.advance(1);
    batcher.push(delta(2, 'b', 'm2'));
    batcher.push(delta(3, 'c', 'm3'));
    await flushMicrotasks();
    expect(sent).toHaveLength(1);
    await clock.advance(3);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.batch.events.map((e) => (e as { seq: number }).seq)).toEqual([2, 3]);
  });

  it('holds a batch until its timer runs, also past the window: a busy worker sends fewer, larger batches', async () => {
    // A worker flooded with socket tasks runs its timers late: here one has not run yet.
    let now = 0;
    const timers: (() => void)[] = [];
    const clock = { now: () => now, setTimeout: (fn: () => void) => timers.push(fn), clearTimeout: () => undefined };
    const sent: BrokerEventBatch[] = [];
    const batcher = createEventBatcher({ clock, publish: (_topic, batch) => sent.push(batch) });
    batcher.push(delta(1, 'a'));
    await flushMicrotasks();
    expect(sent).toHaveLength(1); // leading edge
    now = 1;
    batcher.push(delta(2, 'b'));
    now = 40; // long past the 4 ms window
    expect(batcher.appendDelta('th', 't1', 1, 'm1', 'c')).toBe(true);
    batcher.push(delta(3, 'd', 'm2'));
    await flushMicrotasks();
    expect(sent).toHaveLength(1);
    expect(timers).toHaveLength(1); // one timer for the window, not one per event
    timers[0]!();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.events).toMatchObject([{ seq: 2, delta: 'bc' }, { seq: 3, delta: 'd' }]);
  });

  it('joins consecutive deltas of one item into the pending event; anything in between ends the run', async () => {
    const { sent, batcher } = setup();
    batcher.push(delta(1, 'Hel'));
    expect(batcher.appendDelta('th', 't1', 1, 'm1', 'lo')).toBe(true);
    expect(batcher.appendDelta('th', 't1', 1, 'm2', 'x')).toBe(false); // another item
    expect(batcher.appendDelta('th', 't1', 2, 'm1', 'x')).toBe(false); // another request
    expect(batcher.appendDelta('other', 't1', 1, 'm1', 'x')).toBe(false); // another thread
    batcher.push({ kind: 'item.done', threadId: 'th', turnId: 't1', seq: 2, request: 1, item: { type: 'message', role: 'assistant', content: [] } });
    expect(batcher.appendDelta('th', 't1', 1, 'm1', '!')).toBe(false);
    await flushMicrotasks();
    expect(sent[0]!.batch.events[0]).toMatchObject({ kind: 'text.delta', seq: 1, delta: 'Hello' });
  });

  it('never grows an event after it was sent', async () => {
    const { batcher, sent } = setup();
    const original = delta(1, 'a');
    batcher.push(original);
    batcher.flush();
    expect(batcher.appendDelta('th', 't1', 1, 'm1', 'b')).toBe(false);
    expect(sent[0]!.batch.events[0]).toMatchObject({ delta: 'a' });
    expect(original).toMatchObject({ delta: 'a' }); // the caller's object is not the one that grows
  });

  it('publishes each thread on its own topic and the rest app-wide, in order', async () => {
    const { sent, batcher } = setup();
    batcher.push(delta(1, 'a', 'm1', 'A'));
    batcher.push(delta(1, 'b', 'm1', 'B'));
    batcher.push({ kind: 'thread.changed', threadId: 'A', record: true }); // its record: thread lists need it
    batcher.push({ kind: 'thread.changed', threadId: 'B', record: false }); // its items: only tabs showing it
    batcher.push(delta(2, 'c', 'm2', 'A'));
    await flushMicrotasks();
    const byTopic = Object.fromEntries(sent.map((s) => [String(s.topic), s.batch.events.map((e) => e.kind)]));
    expect(byTopic).toEqual({ A: ['text.delta', 'text.delta'], B: ['text.delta', 'thread.changed'], null: ['thread.changed'] });
  });

  it('sends one thread.changed per thread per batch, saying record if any of them did', async () => {
    const { sent, batcher } = setup();
    const first = { kind: 'thread.changed', threadId: 'A', record: false } as const;
    batcher.push(first);
    for (const [threadId, record] of [['A', true], ['B', false], ['A', false]] as const) batcher.push({ kind: 'thread.changed', threadId, record });
    await flushMicrotasks();
    const published = (topic: string | null) => sent.filter((s) => s.topic === topic).flatMap((s) => s.batch.events);
    expect(published(null)).toEqual([{ kind: 'thread.changed', threadId: 'A', record: true }]);
    expect(published('B')).toEqual([{ kind: 'thread.changed', threadId: 'B', record: false }]);
    expect(first.record).toBe(false); // the caller's object is not the one upgraded
    const before = sent.length;
    batcher.push({ kind: 'thread.changed', threadId: 'A', record: false }); // a later batch says it again, for itself
    batcher.flush();
    expect(sent.slice(before)).toMatchObject([{ topic: 'A', batch: { events: [{ kind: 'thread.changed', threadId: 'A', record: false }] } }]);
  });

  it('flushes at maxEvents without waiting', () => {
    const { sent, batcher } = setup({ maxEvents: 3 });
    for (let i = 1; i <= 3; i++) batcher.push(delta(i, 'x', `m${i}`));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.batch.events).toHaveLength(3);
  });
});
