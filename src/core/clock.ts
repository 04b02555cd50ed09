// Time behind a narrow interface so the pool, backoff and batching run under a fake clock in tests.
export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => (typeof performance !== 'undefined' ? performance.timeOrigin + performance.now() : Date.now()),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, random: () => number, baseMs = 250, capMs = 8000): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Cuts waits short when there is reason to believe a retry would now succeed (the browser went
 * `online`, a tab became visible): backoff is for an unreachable server, not a reason to keep
 * the user waiting once it is back.
 */
export interface Waker {
  wake(): void;
  /** Resolves after `ms`, or as soon as `wake()` is called; rejects if `signal` aborts. */
  sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void>;
}

export function createWaker(): Waker {
  const sleepers = new Set<AbortController>();
  return {
    wake() {
      for (const sleeper of sleepers) sleeper.abort();
      sleepers.clear();
    },
    async sleep(clock, ms, signal) {
      if (signal?.aborted) throw signal.reason;
      const woken = new AbortController();
      sleepers.add(woken);
      const onAbort = () => woken.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await sleep(clock, ms, woken.signal);
      } catch {
        if (signal?.aborted) throw signal.reason;
      } finally {
        sleepers.delete(woken);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
