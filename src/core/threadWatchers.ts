// Which tabs receive which thread's stream. A tab watches the one thread it shows: its
// `openThread` says which (a later one replaces it) and names the port that asked; `bye` ends it.
// The broker core publishes by topic (src/core/eventBatcher.ts) and knows nothing of ports; the
// worker adapter looks a thread's ports up here. Generic over the port, so tests use plain objects.
//
// A tab that crashes never says bye: its entry (a few strings and a port whose messages go
// nowhere) stays until the same tab id opens another thread or the broker ends. Tabs are few.

export interface ThreadWatchers<P> {
  /** From now on `tabId`'s stream is `threadId`'s, delivered to `port`. */
  watch(tabId: string, threadId: string, port: P): void;
  /** The tab is gone (bye): it receives nothing more. */
  forget(tabId: string): void;
  /** The ports watching `threadId`, one per tab; empty when nobody shows it. */
  portsFor(threadId: string): readonly P[];
}

export function createThreadWatchers<P>(): ThreadWatchers<P> {
  const byTab = new Map<string, { threadId: string; port: P }>();
  /** threadId → tabId → port, kept in step with byTab; the arrays are rebuilt on change only, so
   *  the per-batch lookup allocates nothing. */
  const byThread = new Map<string, Map<string, P>>();
  const ports = new Map<string, readonly P[]>();
  const NONE: readonly P[] = [];

  function refresh(threadId: string) {
    const tabs = byThread.get(threadId);
    if (!tabs || tabs.size === 0) {
      byThread.delete(threadId);
      ports.delete(threadId);
    } else {
      ports.set(threadId, [...tabs.values()]);
    }
  }

  function forget(tabId: string) {
    const entry = byTab.get(tabId);
    if (!entry) return;
    byTab.delete(tabId);
    byThread.get(entry.threadId)?.delete(tabId);
    refresh(entry.threadId);
  }

  return {
    watch(tabId, threadId, port) {
      const entry = byTab.get(tabId);
      if (entry?.threadId === threadId && entry.port === port) return;
      forget(tabId);
      byTab.set(tabId, { threadId, port });
      let tabs = byThread.get(threadId);
      if (!tabs) byThread.set(threadId, (tabs = new Map()));
      tabs.set(tabId, port);
      refresh(threadId);
    },
    forget,
    portsFor: (threadId) => ports.get(threadId) ?? NONE,
  };
}
