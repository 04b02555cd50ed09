// Decodes what a socket delivers into server events. Everything that is not one JSON object per
// text frame is a protocol error with a message a user can act on (PROTOCOL.md §1: binary frames
// are errors; §3: unknown event types are passed through for the consumer to ignore).
import type { ServerEvent } from './wire.ts';

/** Frames larger than this are refused: a runaway or hostile upstream must not exhaust the worker. */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

export type DecodedFrame =
  | { ok: true; event: ServerEvent | { type: string; [key: string]: unknown } }
  | { ok: false; problem: 'binary' | 'malformed' | 'oversized'; message: string };

export function decodeFrame(data: string | ArrayBuffer | ArrayBufferView, maxBytes = DEFAULT_MAX_FRAME_BYTES): DecodedFrame {
  if (typeof data !== 'string') {
    return { ok: false, problem: 'binary', message: 'The server sent a binary frame; this protocol allows only JSON text frames.' };
  }
  // A UTF-16 length over the limit is over it in UTF-8 too (each unit is ≥ 1 byte).
  if (data.length > maxBytes) {
    return { ok: false, problem: 'oversized', message: `The server sent a ${formatBytes(data.length)} frame; the limit is ${formatBytes(maxBytes)}.` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { ok: false, problem: 'malformed', message: `The server sent a frame that is not valid JSON: ${preview(data)}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== 'string') {
    return { ok: false, problem: 'malformed', message: `The server sent a frame without an event type: ${preview(data)}` };
  }
  return { ok: true, event: parsed as ServerEvent };
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 80)}…` : oneLine);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
