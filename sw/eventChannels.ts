// The broker's BroadcastChannels: one app-wide, and one per thread for that thread's stream
// (src/core/eventBatcher.ts decides which). A thread's channel is opened when it first has
// something to say and closed after a quiet spell, so a worker that served a thousand threads
// does not hold a thousand channels.
import { eventChannelName, threadChannelName, type BrokerEventBatch } from '../src/core/brokerMessages.ts';
import type { EventTopic } from '../src/core/eventBatcher.ts';

/** A thread channel unused this long is closed (the next event opens it again). */
const THREAD_CHANNEL_IDLE_MS = 60_000;

export interface EventChannels {
  publish(topic: EventTopic, batch: BrokerEventBatch): void;
}

export function createEventChannels(appVersion: string): EventChannels {
  const app = new BroadcastChannel(eventChannelName(appVersion));
  const threads = new Map<string, { channel: BroadcastChannel; timer: ReturnType<typeof setTimeout> }>();

  function threadChannel(threadId: string): BroadcastChannel {
    const open = threads.get(threadId);
    if (open) {
      clearTimeout(open.timer);
      open.timer = setTimeout(() => closeThread(threadId), THREAD_CHANNEL_IDLE_MS);
      return open.channel;
    }
    const channel = new BroadcastChannel(threadChannelName(appVersion, threadId));
    threads.set(threadId, { channel, timer: setTimeout(() => closeThread(threadId), THREAD_CHANNEL_IDLE_MS) });
    return channel;
  }

  function closeThread(threadId: string) {
    threads.get(threadId)?.channel.close();
    threads.delete(threadId);
  }

  return {
    publish(topic, batch) {
      (topic === null ? app : threadChannel(topic)).postMessage(batch);
    },
  };
}
