// Listens to the channel of the thread this tab shows (threadChannelName): the broker publishes
// each thread's stream on its own channel, so a tab hears one stream, not every thread's.
// Switching to another thread stops listening to the old one, whose live state then goes stale
// and is dropped (`onLeave`); opening it again syncs it from a snapshot.
import type { ApplyEffects, LiveTurnStore } from '../core/liveTurns.ts';
import { bridgeBrokerEvents, type ChannelLike } from './eventBridge.ts';

export interface ClosableChannel extends ChannelLike {
  close(): void;
}

export interface ThreadFollower {
  /** Listens to `threadId` from now on. Null keeps listening to the current one: "no thread on
   *  screen" is often a moment while a thread loads, not a move elsewhere. */
  follow(threadId: string | null): void;
}

export function createThreadFollower(options: {
  openChannel(threadId: string): ClosableChannel;
  live: LiveTurnStore;
  onEffects(effects: ApplyEffects): void;
  onLeave(threadId: string): void;
}): ThreadFollower {
  let current: { threadId: string; channel: ClosableChannel; bridge: { close(): void } } | null = null;
  return {
    follow(threadId) {
      if (threadId === null || threadId === current?.threadId) return;
      if (current) {
        current.bridge.close();
        current.channel.close();
        options.onLeave(current.threadId);
      }
      const channel = options.openChannel(threadId);
      current = { threadId, channel, bridge: bridgeBrokerEvents({ channel, live: options.live, onEffects: options.onEffects }) };
    },
  };
}
