// Applies the stream of the thread this tab shows. The broker sends a tab, on its port, the
// events of the thread it opened last (openThread, see ../core/brokerMessages.ts): one stream,
// not every thread's. Switching to another thread drops the old one's live state (`onLeave`;
// opening it again syncs it from a snapshot), and whatever of it is still on its way — sent
// before the broker heard of the switch — is ignored.
import type { BrokerEvent, BrokerEventBatch } from '../core/brokerMessages.ts';
import { hasEffects, type ApplyEffects, type LiveTurnStore } from '../core/liveTurns.ts';

export interface ThreadFollower {
  /** Applies `threadId`'s events from now on. Null keeps the current one: "no thread on screen"
   *  is often a moment while a thread loads, not a move elsewhere. */
  follow(threadId: string | null): void;
}

export function createThreadFollower(options: {
  /** Subscribes to the batches the broker sends this tab (BrokerLink.onBatch). */
  onBatch(listener: (batch: BrokerEventBatch) => void): void;
  live: LiveTurnStore;
  onEffects(effects: ApplyEffects): void;
  onLeave(threadId: string): void;
}): ThreadFollower {
  let current: string | null = null;
  const isCurrent = (event: BrokerEvent) => 'threadId' in event && event.threadId === current;

  options.onBatch((batch) => {
    if (current === null) return;
    // Nearly always the whole batch is the current thread's: no copy then.
    const events = batch.events.every(isCurrent) ? batch.events : batch.events.filter(isCurrent);
    if (events.length === 0) return;
    const effects = options.live.apply(events);
    if (hasEffects(effects)) options.onEffects(effects);
  });

  return {
    follow(threadId) {
      if (threadId === null || threadId === current) return;
      const left = current;
      current = threadId;
      if (left !== null) options.onLeave(left);
    },
  };
}
