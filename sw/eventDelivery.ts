// Where the broker's batches go (src/core/eventBatcher.ts decides the topic): app-wide events on
// the one BroadcastChannel every tab listens to; a thread's events straight to the ports of the
// tabs that show it (src/core/threadWatchers.ts). A port delivers in ~0.15 ms where a
// BroadcastChannel, which goes through the browser process, takes ~0.7 ms (a SharedWorker posting
// 200-byte messages to a page, p50, Chromium 150 on 2 cores), and a thread nobody shows costs nothing.
import { eventChannelName, type BrokerEventBatch } from '../src/core/brokerMessages.ts';
import type { EventTopic } from '../src/core/eventBatcher.ts';
import type { ThreadWatchers } from '../src/core/threadWatchers.ts';

export interface BatchPort {
  postMessage(message: BrokerEventBatch): void;
}

export interface EventDelivery {
  publish(topic: EventTopic, batch: BrokerEventBatch): void;
}

export function createEventDelivery(appVersion: string, watchers: ThreadWatchers<BatchPort>): EventDelivery {
  const app = new BroadcastChannel(eventChannelName(appVersion));
  return {
    publish(topic, batch) {
      if (topic === null) app.postMessage(batch);
      else for (const port of watchers.portsFor(topic)) port.postMessage(batch);
    },
  };
}
