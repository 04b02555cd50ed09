// Sends a response's events through a transport, applying the scripted misbehaviour of the test
// hooks (holds, delays, drops, malformed/binary/oversized frames). Transport-neutral: the
// WebSocket session and the SSE handler each supply a FrameSink.
import { epochNowMs, stampDelta } from './firehose.ts';
import type { ScriptedResponse } from './testControl.ts';

export type DeliveryScript = Pick<
  ScriptedResponse,
  'dropAfterEvents' | 'malformedAfterEvents' | 'binaryAfterEvents' | 'oversizedBytes' | 'eventDelayMs' | 'firstTokenDelayMs' | 'hold' | 'firehose'
>;

export interface FrameSink {
  /** False once the peer is gone; delivery then stops quietly. */
  readonly open: boolean;
  event(event: { type: string }): void;
  /** A frame that is not JSON. */
  malformed(text: string): void;
  binary(): void;
  /** Ends the connection abruptly (no close handshake / no end of stream). */
  drop(): void;
}

/**
 * completed: every event went out. dropped: the connection was cut on purpose.
 * stalled: a bad frame went out and the response will never finish. closed: the peer left.
 */
export type DeliveryOutcome = 'completed' | 'dropped' | 'stalled' | 'closed';

export const MALFORMED_FRAME = '{not json';
/** Type of the filler event sent for `oversizedBytes`; clients must ignore unknown types. */
export const PADDING_EVENT_TYPE = 'engine.padding';

export async function deliverEvents(
  events: readonly { type: string }[],
  script: DeliveryScript,
  sink: FrameSink,
  waitForRelease: () => Promise<void>,
): Promise<DeliveryOutcome> {
  if (script.hold) await waitForRelease();
  // Counts every frame sent for this response (padding included): the unit of the *AfterEvents knobs.
  let sent = 0;
  const interruption = (): DeliveryOutcome | undefined => {
    if (!sink.open) return 'closed';
    if (reached(script.dropAfterEvents, sent)) {
      sink.drop();
      return 'dropped';
    }
    if (reached(script.malformedAfterEvents, sent)) {
      sink.malformed(MALFORMED_FRAME);
      return 'stalled';
    }
    if (reached(script.binaryAfterEvents, sent)) {
      sink.binary();
      return 'stalled';
    }
    return undefined;
  };

  for (const [index, event] of events.entries()) {
    if (index === 1 && script.firstTokenDelayMs) await sleep(script.firstTokenDelayMs);
    if (index > 0 && script.eventDelayMs) await sleep(script.eventDelayMs);
    const stop = interruption();
    if (stop) return stop;
    // A stamped firehose delta gets its send time now, after any pacing delay.
    sink.event(script.firehose?.stamp ? stampDelta(event, epochNowMs()) : event);
    sent++;
    if (sent === 1 && script.oversizedBytes !== undefined) {
      sink.event(paddingEvent(script.oversizedBytes));
      sent++;
    }
  }
  return interruption() ?? 'completed';
}

/** A valid JSON event of exactly `bytes` bytes once serialised (or the smallest possible one). */
export function paddingEvent(bytes: number): { type: string; padding: string } {
  const overhead = JSON.stringify({ type: PADDING_EVENT_TYPE, padding: '' }).length;
  return { type: PADDING_EVENT_TYPE, padding: 'x'.repeat(Math.max(0, bytes - overhead)) };
}

function reached(threshold: number | undefined, sent: number): boolean {
  return threshold !== undefined && sent >= threshold;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
