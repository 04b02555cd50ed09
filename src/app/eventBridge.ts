// Feeds the broker's broadcast events into the live store and turns their effects into
// TanStack Query invalidations and resyncs. No React here.
import { isEventBatch } from '../core/brokerMessages.ts';
import { hasEffects, type ApplyEffects, type LiveTurnStore } from '../core/liveTurns.ts';

/** A BroadcastChannel, or a fake in tests. */
export interface ChannelLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function bridgeBrokerEvents(options: {
  channel: ChannelLike;
  live: LiveTurnStore;
  /** What to do about a batch's effects (re-read persisted data, sync threads again). */
  onEffects(effects: ApplyEffects): void;
}): { close(): void } {
  const { channel, live, onEffects } = options;
  const onMessage = (event: MessageEvent) => {
    if (!isEventBatch(event.data)) return;
    const effects = live.apply(event.data.events);
    if (hasEffects(effects)) onEffects(effects);
  };
  channel.addEventListener('message', onMessage);
  return { close: () => channel.removeEventListener('message', onMessage) };
}
