// Wires the tab: IndexedDB store, live-turn store, the broker's event channel, the broker link
// (RPC that survives the broker's death, and the broker's tasks: the run_js sandbox worker),
// thread syncing, the tab-to-tab and deployment channels, and the wake signals that nudge the
// broker. Called once from main.tsx.
import { QueryClient } from '@tanstack/react-query';
import { APP_VERSION } from '../appVersion.ts';
import { brokerLockName, DEPLOY_CHANNEL, eventChannelName } from '../core/brokerMessages.ts';
import { systemClock } from '../core/clock.ts';
import { createLiveTurnStore, type ApplyEffects } from '../core/liveTurns.ts';
import { openIdbThreadStore } from '../storage/idbThreadStore.ts';
import { connectBroker } from './brokerConnection.ts';
import { createBrokerLink } from './brokerLink.ts';
import { watchDeployments } from './deployWatch.ts';
import { bridgeBrokerEvents } from './eventBridge.ts';
import { createJsRunnerHost } from './jsRunnerHost.ts';
import { startJsRunnerWorker } from './jsRunnerWorker.ts';
import { threadKey, threadsKey } from './queries.ts';
import { parseRoute } from './route.ts';
import type { Services } from './ServicesContext.ts';
import { createThreadFollower } from './threadFollower.ts';
import { createThreadSync } from './threadSync.ts';
import { createValueStore } from './valueStore.ts';
import { watchWakeSignals } from './wakeSignals.ts';

/** Tabs tell each other about threads they create, rename, delete or import (the broker never
 *  sees those). */
const tabChannelName = (appVersion: string) => `switchboard:tabs:${appVersion}`;
type TabMessage = { type: 'thread.changed'; threadId: string };

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

  // TanStack Query folds an invalidation into a first fetch still in flight (a query with no data
  // yet is not cancelled), so a read that began before the change would be all the tab ever sees:
  // a reopened tab then showed a turn the new broker had just marked interrupted as still running.
  // Cancelling first makes the refetch start after the change.
  const refetchFresh = (filters?: { queryKey: readonly unknown[] }) => {
    void queryClient.cancelQueries(filters).then(() => queryClient.invalidateQueries(filters));
  };
  /** Re-reads the threads shown (a thread not on screen is only marked stale), and the thread
   *  list only when a thread's record changed: re-reading and redrawing it in every open tab for
   *  each save of a turn's items was a quarter of what a turn cost the tabs not showing it. */
  const invalidate = (threadIds: readonly string[], relist: boolean) => {
    if (relist) refetchFresh({ queryKey: threadsKey });
    for (const id of threadIds) refetchFresh({ queryKey: threadKey(id) });
  };

  // The broker runs run_js code in a tab's worker, not on its own thread (src/core/remoteJsRunner.ts).
  // The worker starts with the first run this tab is asked for.
  const jsRunner = createJsRunnerHost({ startWorker: startJsRunnerWorker, clock: systemClock });

  const link = createBrokerLink({
    tabId,
    tasks: { runJs: jsRunner },
    connect: connectBroker,
    locks: typeof navigator !== 'undefined' ? navigator.locks : undefined,
    lockName: brokerLockName(APP_VERSION),
    onState: (state) => live.setLink(state),
    // Everything the dead broker ran is over, and the new one numbers events from scratch.
    onBrokerDied: () => live.brokerRestarted(),
    onReady({ restarted }) {
      link
        .call('inspect', {})
        .then((state) => live.apply([{ kind: 'inspector', state }]))
        .catch(() => undefined);
      if (restarted) sync.reset(); // re-open the thread on screen with the new broker
      // A broker answers only once it has marked the turns a dead one left running as
      // interrupted: whatever this tab read before that may say "running" (and offer Stop).
      refetchFresh();
    },
  });

  const sync = createThreadSync({
    live,
    openThread: (threadId) => link.call('openThread', { tabId, threadId }),
    onEffects: (effects) => onEffects(effects),
    onError: (threadId, error) => console.warn(`openThread ${threadId} failed`, error),
  });

  function onEffects(effects: ApplyEffects): void {
    if (effects.invalidateThreads.length > 0) invalidate(effects.invalidateThreads, effects.relistThreads);
    if (effects.resyncThreads.length > 0) sync.resync(effects.resyncThreads);
  }

  // App-wide events (inspector, connection, thread list changes).
  bridgeBrokerEvents({ channel: new BroadcastChannel(eventChannelName(APP_VERSION)), live, onEffects });
  // The shown thread's stream, on the broker port: openThread (sync.open) makes the broker send
  // it, from before the snapshot on, so no event after the snapshot is missed.
  const follower = createThreadFollower({
    onBatch: (listener) => link.onBatch(listener),
    live,
    onEffects,
    onLeave(threadId) {
      sync.drop(threadId);
      live.detach(threadId);
    },
  });
  let shown: string | null = null;
  const show = (threadId: string | null) => {
    // Saves of a thread's turns and items are announced only to the tabs showing it: what this
    // tab kept of it from an earlier visit may be behind.
    if (threadId !== null && threadId !== shown) refetchFresh({ queryKey: threadKey(threadId) });
    if (threadId !== null) shown = threadId;
    follower.follow(threadId);
    sync.open(threadId);
  };

  // The thread in the URL is synced from the start (a reload mid-turn shows everything so far,
  // then the live stream): its events are held from now until the broker's snapshot.
  const route = parseRoute(window.location.pathname);
  if (route.kind === 'thread') show(route.threadId);

  const tabChannel = new BroadcastChannel(tabChannelName(APP_VERSION));
  tabChannel.addEventListener('message', (event: MessageEvent<TabMessage>) => {
    if (event.data?.type === 'thread.changed') invalidate([event.data.threadId], true); // created, renamed, deleted, imported
  });

  const otherVersion = createValueStore<string | null>(null);
  watchDeployments({ channel: new BroadcastChannel(DEPLOY_CHANNEL), appVersion: APP_VERSION, onOtherVersion: (v) => otherVersion.set(v) });

  // Back online, or the user came back to the tab: let the broker retry connections now.
  watchWakeSignals({ window, document }, () => {
    link.call('nudge', {}).catch(() => undefined);
  });

  window.addEventListener('pagehide', () => {
    void link.call('bye', { tabId }).catch(() => undefined);
  });
  // Back from the back/forward cache: the broker was told we left, and events went unheard.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    link.rehello();
    sync.reset();
    void queryClient.invalidateQueries();
  });

  return {
    tabId,
    broker: link,
    threads,
    live,
    queryClient,
    openThread: show,
    announceThreadChange: (threadId) => tabChannel.postMessage({ type: 'thread.changed', threadId } satisfies TabMessage),
    otherVersion,
  };
}
