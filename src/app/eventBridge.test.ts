import { describe, expect, it } from 'vitest';
import type { BrokerEventBatch } from '../core/brokerMessages.ts';
import { createLiveTurnStore } from '../core/liveTurns.ts';
import { bridgeBrokerEvents, type ChannelLike } from './eventBridge.ts';

function fakeChannel() {
  const listeners = new Set<(event: MessageEvent) => void>();
  const channel: ChannelLike = {
    addEventListener: (_type, l) => void listeners.add(l),
    removeEventListener: (_type, l) => void listeners.delete(l),
  };
  const deliver = (data: unknown) => listeners.forEach((l) => l({ data } as MessageEvent));
  return { channel, deliver, listeners };
}

describe('bridgeBrokerEvents', () => {
  it('applies batches to the live store and reports changed, gapped and ended threads', () => {
    const { channel, deliver } = fakeChannel();
    const live = createLiveTurnStore();
    const invalidated: string[][] = [];
    const resynced: string[][] = [];
    bridgeBrokerEvents({
      channel,
      live,
      onEffects: (effects) => {
        invalidated.push([...effects.invalidateThreads]);
        if (effects.resyncThreads.length > 0) resynced.push([...effects.resyncThreads]);
      },
    });

    const batch = (events: BrokerEventBatch['events']): BrokerEventBatch => ({ type: 'batch', events });
    deliver(batch([{ kind: 'turn.started', threadId: 'a', turnId: 't', tabId: 'x', userText: 'hi', seq: 1 }]));
    expect(invalidated).toEqual([]);
    expect(live.getSnapshot().threads.a?.turns).toHaveLength(1);

    deliver(batch([{ kind: 'thread.changed', threadId: 'b', record: false }]));
    deliver(batch([{ kind: 'text.delta', threadId: 'a', turnId: 't', request: 1, itemId: 'm', delta: 'x', seq: 5 }]));
    deliver(batch([{ kind: 'turn.ended', threadId: 'a', turnId: 't', status: 'completed', seq: 6 }]));
    expect(invalidated).toEqual([['b'], ['a'], ['a']]);
    expect(resynced).toEqual([['a']]);
    expect(live.getSnapshot().gaps).toBe(1);
  });

  it('ignores messages that are not batches, and stops on close', () => {
    const { channel, deliver, listeners } = fakeChannel();
    const live = createLiveTurnStore();
    const bridge = bridgeBrokerEvents({ channel, live, onEffects: () => undefined });
    deliver({ type: 'something-else' });
    deliver(null);
    expect(live.getSnapshot().threads).toEqual({});
    bridge.close();
    expect(listeners.size).toBe(0);
  });
});
