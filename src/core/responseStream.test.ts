import { describe, expect, it } from 'vitest';
import { streamOverSocket } from './responseStream.ts';
import type { SocketLease, SocketListener } from './socketPool.ts';
import { createManualClock } from './testing/fakes.ts';

function fakeLease() {
  let listener: SocketListener | undefined;
  const lease = {
    socketId: 1,
    lastResponseId: null,
    discarded: '' as string,
    listen: (l: SocketListener) => void (listener = l),
    send: () => undefined,
    setLastResponseId: () => undefined,
    release: () => undefined,
    discard(reason: string) {
      this.discarded = reason;
    },
  };
  return { lease: lease as SocketLease & { discarded: string }, frame: (e: object) => listener!.onFrame(JSON.stringify(e)) };
}

describe('a response over a socket', () => {
  it('treats a socket silent past the limit as dropped, and drops it; each frame restarts the wait', async () => {
    const clock = createManualClock();
    const { lease, frame } = fakeLease();
    const outcome = streamOverSocket(lease, { type: 'response.create', model: 'm', input: [] }, { onEvent: () => undefined }, { inactivity: { clock, ms: 1_000 } });
    await clock.advance(900);
    frame({ type: 'response.created', response: { id: 'r', status: 'in_progress', output: [] } });
    await clock.advance(900);
    expect(lease.discarded).toBe('');
    await clock.advance(200);
    await expect(outcome).resolves.toMatchObject({ kind: 'dropped', silent: false, reason: 'no data from the server for 1 s' });
    expect(lease.discarded).toBe('no data from the server');
    expect(clock.pending()).toBe(0);
  });

  it('sets one silence timer for a stream of frames, not one per frame', async () => {
    const manual = createManualClock();
    let timersSet = 0;
    const clock = { ...manual, setTimeout: (fn: () => void, ms: number) => (timersSet++, manual.setTimeout(fn, ms)) };
    const { lease, frame } = fakeLease();
    void streamOverSocket(lease, { type: 'response.create', model: 'm', input: [] }, { onEvent: () => undefined }, { inactivity: { clock, ms: 1_000 } });
    frame({ type: 'response.created', response: { id: 'r', status: 'in_progress', output: [] } });
    for (let i = 0; i < 100; i++) frame({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'x' });
    expect(timersSet).toBe(1);
    await manual.advance(600);
    frame({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'y' });
    await manual.advance(600); // the timer fires at 1,000 ms, hears of the frame at 600: waits 600 more
    expect(lease.discarded).toBe('');
    expect(timersSet).toBe(2);
    await manual.advance(400);
    expect(lease.discarded).toBe('no data from the server');
  });

  it('clears the silence timer once the response completes', async () => {
    const clock = createManualClock();
    const { lease, frame } = fakeLease();
    const outcome = streamOverSocket(lease, { type: 'response.create', model: 'm', input: [] }, { onEvent: () => undefined }, { inactivity: { clock, ms: 1_000 } });
    frame({ type: 'response.completed', response: { id: 'r', status: 'completed', output: [] } });
    await expect(outcome).resolves.toMatchObject({ kind: 'completed' });
    expect(clock.pending()).toBe(0);
  });
});
