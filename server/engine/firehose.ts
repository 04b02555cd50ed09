// The benchmarks' synthetic answer (bench/, contract: FirehoseScript in testControl.ts). Only a
// scripted response can ask for it, and scripts exist only with test hooks on, so the engine
// never streams it by default.
//
// Every delta has the same length, so frame sizes do not vary between runs or sides of a
// comparison. The text is prose with paragraph breaks, so the transcript lays it out the way
// it would a real answer. A stamped delta carries its own send time, written at the last moment
// (stampDelta, called by the delivery loop right before the frame goes out).
import type { FirehoseScript } from './testControl.ts';

/** `@` + epoch milliseconds with 3 decimals (13 + 1 + 3 digits) + a space. */
export const FIREHOSE_STAMP_CHARS = 19;
const STAMP_PLACEHOLDER = `@${'0'.repeat(13)}.000 `;

const WORDS = [
  'the', 'broker', 'streams', 'every', 'delta', 'to', 'each', 'tab', 'through', 'one', 'channel', 'while',
  'sockets', 'stay', 'open', 'and', 'tools', 'run', 'in', 'a', 'worker', 'so', 'that', 'nothing', 'waits',
];
/** A paragraph break roughly this often, as in a model's answer. */
const PARAGRAPH_CHARS = 600;

/** `script.deltas` pieces of exactly `script.chars` characters (stamp placeholders included). */
export function firehoseDeltas(script: FirehoseScript): string[] {
  const stampChars = script.stamp ? FIREHOSE_STAMP_CHARS : 0;
  if (!Number.isInteger(script.deltas) || script.deltas < 0) throw new Error('firehose.deltas must be a non-negative integer');
  if (!Number.isInteger(script.chars) || script.chars <= stampChars) {
    throw new Error(`firehose.chars must be an integer above ${stampChars}`);
  }
  const body = script.chars - stampChars;
  const text = prose(script.deltas * body);
  const deltas: string[] = [];
  for (let i = 0; i < script.deltas; i++) {
    const piece = text.slice(i * body, (i + 1) * body);
    deltas.push(script.stamp ? STAMP_PLACEHOLDER + piece : piece);
  }
  return deltas;
}

/** Fills in a stamped delta's send time; any other event passes through untouched. */
export function stampDelta<E extends { type: string }>(event: E, nowEpochMs: number): E {
  const delta = (event as { delta?: unknown }).delta;
  if (event.type !== 'response.output_text.delta' || typeof delta !== 'string' || !delta.startsWith('@')) return event;
  const stamp = `@${nowEpochMs.toFixed(3).padStart(FIREHOSE_STAMP_CHARS - 2, '0')} `;
  return { ...event, delta: stamp + delta.slice(FIREHOSE_STAMP_CHARS) };
}

/** Wall-clock time with sub-millisecond resolution; a browser computes the same quantity as
 *  `performance.timeOrigin + performance.now()`. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

function prose(length: number): string {
  const parts: string[] = [];
  let size = 0;
  let sinceBreak = 0;
  for (let i = 0; size < length; i++) {
    const word = WORDS[(i * 7 + (i >> 3)) % WORDS.length]!;
    const separator = sinceBreak >= PARAGRAPH_CHARS && word === 'the' ? '.\n\n' : ' ';
    sinceBreak = separator === ' ' ? sinceBreak + word.length + 1 : 0;
    parts.push(word, separator);
    size += word.length + separator.length;
  }
  return parts.join('').slice(0, length);
}
