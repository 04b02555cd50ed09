// Moments when the network may be usable again: the browser says it is back online, or the tab
// becomes visible (a laptop woke up, the user came back). The broker is nudged then, so a
// connection waiting out its backoff is retried at once.

export interface WakeSources {
  /** Fires `online` (the window). */
  window: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Fires `visibilitychange` and says `visibilityState` (the document). */
  document: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState: string };
}

export function watchWakeSignals(sources: WakeSources, onWake: (why: 'online' | 'visible') => void): { close(): void } {
  const online = () => onWake('online');
  const visibility = () => {
    if (sources.document.visibilityState === 'visible') onWake('visible');
  };
  sources.window.addEventListener('online', online);
  sources.document.addEventListener('visibilitychange', visibility);
  return {
    close() {
      sources.window.removeEventListener('online', online);
      sources.document.removeEventListener('visibilitychange', visibility);
    },
  };
}
