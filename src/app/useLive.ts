// React's view of the live-turn store. Notifications are coalesced to one per animation frame:
// deltas can arrive at tens of thousands per second, and the screen only needs 60 renders.
import { useCallback, useSyncExternalStore } from 'react';
import type { LiveSnapshot, LiveTurnStore } from '../core/liveTurns.ts';
import { useServices } from './ServicesContext.ts';

/** Wraps a store listener so it runs at most once per animation frame. */
export function frameThrottled(listener: () => void): { run(): void; cancel(): void } {
  let frame: number | null = null;
  return {
    run() {
      if (frame !== null) return;
      frame = requestAnimationFrame(() => {
        frame = null;
        listener();
      });
    },
    cancel() {
      if (frame !== null) cancelAnimationFrame(frame);
      frame = null;
    },
  };
}

function subscribeThrottled(store: LiveTurnStore, listener: () => void): () => void {
  const throttled = frameThrottled(listener);
  const unsubscribe = store.subscribe(throttled.run);
  return () => {
    unsubscribe();
    throttled.cancel();
  };
}

/**
 * Selects from the live snapshot. `select` must return something stable for an unchanged
 * snapshot (a field or a sub-object, not a freshly built array), as useSyncExternalStore needs.
 */
export function useLive<T>(select: (snapshot: LiveSnapshot) => T): T {
  const { live } = useServices();
  const subscribe = useCallback((listener: () => void) => subscribeThrottled(live, listener), [live]);
  return useSyncExternalStore(subscribe, () => select(live.getSnapshot()));
}
