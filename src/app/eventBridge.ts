// Feeds the broker's broadcast events into the live store and turns their effects into
// TanStack Query invalidations. No React here.
import type { BrokerEventBatch } from '../core/brokerMessages.ts';
import type { LiveTurnStore } from '../core/liveTurns.ts';

/** A BroadcastChannel, or a fake in tests. */
export interface ChannelLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

function isBatch(data: unknown): data is BrokerEventBatch {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'batch' && Array.isArray((data as { events?: unknown }).events);
}

export function bridgeBrokerEvents(options: {
  channel: ChannelLike;
  live: LiveTurnStore;
  /** Threads whose persisted data must be re-read (the thread list too). */
  invalidate(threadIds: readonly string[]): void;
}): { close(): void } {
  const { channel, live, invalidate } = options;
  const onMessage = (event: MessageEvent) => {
    if (!isBatch(event.data)) return;
    const effects = live.apply(event.data.events);
    if (effects.invalidateThreads.length > 0) invalidate(effects.invalidateThreads);
  };
  channel.addEventListener('message', onMessage);
  return { close: () => channel.removeEventListener('message', onMessage) };
}
