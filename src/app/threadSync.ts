// Keeps the live store in step with the broker for the threads this tab shows. Opening a thread
// asks the broker for its running turn (`openThread` → snapshot) while the live store holds the
// thread's events back (see ../core/liveTurns.ts). A thread stays "in sync" as long as its events
// arrive without a gap; a gap (or a resend the snapshot cannot settle) makes it sync again if it
// is on screen, otherwise when it is next opened. At most one `openThread` per thread is in flight.
import type { LiveTurnSnapshot } from '../core/brokerMessages.ts';
import { hasEffects, type ApplyEffects, type LiveTurnStore } from '../core/liveTurns.ts';

export interface ThreadSync {
  /** The thread now on screen (null: none). Syncs it unless it is in sync. */
  open(threadId: string | null): void;
  /** Threads whose live state can no longer be trusted (ApplyEffects.resyncThreads). */
  resync(threadIds: readonly string[]): void;
  /** Nothing is in sync any more (a new broker, or back from the back/forward cache). */
  reset(): void;
  /** The tab stopped hearing the thread's events: it is not in sync any more, and an answer
   *  still on its way for it no longer counts. */
  drop(threadId: string): void;
}

export function createThreadSync(options: {
  live: LiveTurnStore;
  openThread(threadId: string): Promise<{ live: LiveTurnSnapshot | null }>;
  /** Effects of the held-back events applied at the end of a sync. */
  onEffects(effects: ApplyEffects): void;
  onError?(threadId: string, error: unknown): void;
}): ThreadSync {
  const { live } = options;
  const synced = new Set<string>();
  const inFlight = new Map<string, { token: number; again: boolean }>();
  let current: string | null = null;

  function sync(threadId: string): void {
    const running = inFlight.get(threadId);
    if (running) {
      running.again = true; // its answer may predate what made us ask again
      return;
    }
    const flight = { token: live.beginSync(threadId), again: false };
    inFlight.set(threadId, flight);
    options.openThread(threadId).then(
      (result) => finish(threadId, flight, result.live),
      (error: unknown) => {
        options.onError?.(threadId, error);
        finish(threadId, flight, undefined);
      },
    );
  }

  function finish(threadId: string, flight: { token: number; again: boolean }, snapshot: LiveTurnSnapshot | null | undefined): void {
    if (inFlight.get(threadId) !== flight) return; // superseded by a reset
    inFlight.delete(threadId);
    const effects = live.endSync(threadId, flight.token, snapshot);
    if (snapshot !== undefined) synced.add(threadId);
    if (hasEffects(effects)) options.onEffects(effects);
    if (flight.again || effects.resyncThreads.includes(threadId)) {
      synced.delete(threadId);
      if (threadId === current) sync(threadId);
    }
    // Other threads in effects.resyncThreads are handled by the caller through resync().
  }

  return {
    open(threadId) {
      current = threadId;
      if (threadId !== null && !synced.has(threadId)) sync(threadId);
    },
    resync(threadIds) {
      for (const id of threadIds) {
        synced.delete(id);
        if (id === current || inFlight.has(id)) sync(id);
      }
    },
    drop(threadId) {
      synced.delete(threadId);
      inFlight.delete(threadId);
    },
    reset() {
      synced.clear();
      inFlight.clear(); // their answers (or failures) no longer count
      if (current !== null) sync(current);
    },
  };
}
