import { describe, expect, it } from 'vitest';
import { createWaker } from './clock.ts';
import { createManualClock } from './testing/fakes.ts';

describe('waker', () => {
  it('ends a backoff wait early on wake, and still honours the abort signal', async () => {
    const clock = createManualClock();
    const waker = createWaker();
    let woke = false;
    const waiting = waker.sleep(clock, 10_000).then(() => (woke = true));
    await clock.advance(100);
    expect(woke).toBe(false);
    waker.wake();
    await waiting;
    expect(woke).toBe(true);
    const stop = new AbortController();
    const stopped = waker.sleep(clock, 10_000, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(stopped).rejects.toThrow('stopped');
    expect(clock.pending()).toBe(0);
  });
});
