import { describe, expect, it } from 'vitest';
import type { BrokerEvent, BrokerEventBatch } from '../core/brokerMessages.ts';
import type { ApplyEffects, LiveTurnStore } from '../core/liveTurns.ts';
import { createThreadFollower } from './threadFollower.ts';

const delta = (threadId: string, text: string): BrokerEvent => ({ kind: 'text.delta', threadId, turnId: 't', request: 1, itemId: 'i', delta: text, seq: 1 });
const NO_EFFECTS: ApplyEffects = { invalidateThreads: [], relistThreads: false, resyncThreads: [] };

function setup(effects: ApplyEffects = NO_EFFECTS) {
  let deliver: (batch: BrokerEventBatch) => void = () => undefined;
  const applied: BrokerEvent[][] = [];
  const left: string[] = [];
  const seenEffects: ApplyEffects[] = [];
  // Only apply() is reached by the follower.
  const live = { apply: (events: readonly BrokerEvent[]) => (applied.push([...events]), effects) } as unknown as LiveTurnStore;
  const follower = createThreadFollower({
    onBatch: (listener) => void (deliver = listener),
    live,
    onEffects: (e) => seenEffects.push(e),
    onLeave: (threadId) => left.push(threadId),
  });
  const send = (...events: BrokerEvent[]) => deliver({ type: 'batch', events });
  return { follower, send, applied, left, seenEffects };
}

describe('createThreadFollower', () => {
  it('applies nothing before a thread is shown', () => {
    const { send, applied } = setup();
    send(delta('a', 'x'));
    expect(applied).toEqual([]);
  });

  it('applies the shown thread’s events and ignores the rest of a batch', () => {
    const { follower, send, applied } = setup();
    follower.follow('a');
    send(delta('a', 'one'), delta('a', 'two'));
    send(delta('b', 'other'), delta('a', 'three'));
    send(delta('b', 'only other'));
    expect(applied).toEqual([[delta('a', 'one'), delta('a', 'two')], [delta('a', 'three')]]);
  });

  it('on a switch, leaves the old thread and drops what of it is still on the way', () => {
    const { follower, send, applied, left } = setup();
    follower.follow('a');
    follower.follow(null); // a thread loading: still on a
    follower.follow('a');
    expect(left).toEqual([]);
    follower.follow('b');
    expect(left).toEqual(['a']);
    send(delta('a', 'late'));
    send(delta('b', 'new'));
    expect(applied).toEqual([[delta('b', 'new')]]);
  });

  it('passes on effects that ask for something', () => {
    const asks: ApplyEffects = { invalidateThreads: ['a'], relistThreads: false, resyncThreads: [] };
    const { follower, send, seenEffects } = setup(asks);
    follower.follow('a');
    send(delta('a', 'x'));
    expect(seenEffects).toEqual([asks]);
  });
});
