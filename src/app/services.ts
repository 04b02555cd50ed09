// Wires the tab: IndexedDB store, live-turn store, the broker's event channel, the broker RPC
// client and the tab-to-tab channel. Called once from main.tsx.
import { QueryClient } from '@tanstack/react-query';
import { APP_VERSION } from '../appVersion.ts';
import { eventChannelName } from '../core/brokerMessages.ts';
import { createLiveTurnStore } from '../core/liveTurns.ts';
import { openIdbThreadStore } from '../storage/idbThreadStore.ts';
import { createBrokerClient } from './brokerClient.ts';
import { connectBroker } from './brokerConnection.ts';
import { bridgeBrokerEvents } from './eventBridge.ts';
import { threadKey, threadsKey } from './queries.ts';
import type { Services } from './ServicesContext.ts';

/** Tabs tell each other about threads they create or rename (the broker never sees those). */
const tabChannelName = (appVersion: string) => `switchboard:tabs:${appVersion}`;
type TabMessage = { type: 'thread.changed'; threadId: string };

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createServices(): Services {
  const tabId = crypto.randomUUID();
  const queryClient = new QueryClient({
    defaultOptions: {
      // Invalidation is event-driven; refetch on focus covers anything missed.
      queries: { staleTime: 5_000, retry: 1 },
    },
  });
  const threads = openIdbThreadStore();
  const live = createLiveTurnStore();

  const invalidate = (threadIds: readonly string[]) => {
    void queryClient.invalidateQueries({ queryKey: threadsKey });
    for (const id of threadIds) void queryClient.invalidateQueries({ queryKey: threadKey(id) });
  };

  // Listen before saying hello, so no event of this tab's own requests is missed.
  bridgeBrokerEvents({ channel: new BroadcastChannel(eventChannelName(APP_VERSION)), live, invalidate });

  const tabChannel = new BroadcastChannel(tabChannelName(APP_VERSION));
  tabChannel.addEventListener('message', (event: MessageEvent<TabMessage>) => {
    if (event.data?.type === 'thread.changed') invalidate([event.data.threadId]);
  });

  const connection = connectBroker();
  const broker = createBrokerClient(connection.endpoint);
  const brokerDown = (detail: string) => live.apply([{ kind: 'connection', state: 'unreachable', detail }]);
  connection.onError((message) => brokerDown(`broker failed: ${message}`));

  const opened = new Set<string>();
  let lastOpened: string | null = null;

  const openThread = (threadId: string) => {
    lastOpened = threadId;
    if (opened.has(threadId)) return;
    opened.add(threadId);
    broker.call('openThread', { tabId, threadId }).catch((error: unknown) => {
      opened.delete(threadId); // let a later visit try again
      console.warn('openThread failed', error);
    });
  };

  const hello = () => {
    broker
      .call('hello', { tabId })
      .then(() => broker.call('inspect', {}))
      .then((state) => live.apply([{ kind: 'inspector', state }]))
      .catch((error: unknown) => brokerDown(errorText(error)));
  };
  hello();

  window.addEventListener('pagehide', () => {
    void broker.call('bye', { tabId }).catch(() => undefined);
  });
  // Back from the back/forward cache: the broker was told we left, so introduce us again.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    hello();
    opened.clear();
    if (lastOpened !== null) openThread(lastOpened);
  });

  return {
    tabId,
    broker,
    threads,
    live,
    queryClient,
    openThread,
    announceThreadChange: (threadId) => tabChannel.postMessage({ type: 'thread.changed', threadId } satisfies TabMessage),
  };
}
