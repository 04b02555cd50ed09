// The embedded engine's test hooks: types shared by the engine and the e2e tests.
// The hooks exist only when the engine is created with `testHooks: true` (the e2e scripted
// upstream). They are reached over HTTP under CONTROL_PREFIX on the engine's own server.
import type { Item } from '../../src/core/wire.ts';

export const CONTROL_PREFIX = '/__engine';

/**
 * One scripted response. `POST /__engine/script` appends plans to a FIFO queue; each
 * `response.create` with `generate !== false` (over WebSocket or HTTP) takes the next plan,
 * or falls back to the offline agent when no plan fits. Warmups take only `warmup` plans.
 */
export interface ScriptedResponse {
  /** For a warmup (`generate:false`) only: warmups take the first queued warmup plan, if any,
   *  and use only its `turnState`; other requests never take warmup plans. */
  warmup?: boolean;
  /** Taken only by a request whose conversation contains this text (e.g. the user's message),
   *  so a scenario's plans are not consumed by another tab's turns running at the same time. */
  onlyFor?: string;
  /** Assistant text streamed as deltas (split into `chunks` pieces, default 4). */
  text?: string;
  chunks?: number;
  /** Function calls emitted (in this order) after the text. */
  toolCalls?: { name: string; arguments: Record<string, unknown> | string; callId?: string }[];
  /**
   * Turn state advertised in `response.metadata` (WS) or the response header (HTTP).
   * Omitted: the engine's own counter value (`ts_<n>`), as on every response. `null`: none.
   */
  turnState?: string | null;
  /** Close the socket (WS) / abort the stream (HTTP) after this many events were sent. */
  dropAfterEvents?: number;
  /** Send this text frame (not JSON) after this many events, then stop responding. */
  malformedAfterEvents?: number;
  /** Send a binary frame after this many events, then stop responding. */
  binaryAfterEvents?: number;
  /** Send a text frame of this many bytes (valid JSON, unknown type) after 1 event, then continue. */
  oversizedBytes?: number;
  /** Answer with this `error` frame instead of a response. */
  error?: { status: number; code: string; message: string };
  /** Milliseconds between events (default 0: as fast as possible). */
  eventDelayMs?: number;
  /** Hold the response before its first event until `POST /__engine/release` is called. */
  hold?: boolean;
  /** Benchmark mode (bench/): stream this many synthetic text deltas instead of `text`. */
  firehose?: FirehoseScript;
}

/**
 * The benchmarks' synthetic answer (firehose.ts): `deltas` text deltas of exactly `chars`
 * characters each (prose with paragraph breaks), sent as fast as the socket takes them unless
 * `eventDelayMs` paces them. With `stamp`, each delta starts with the engine's wall-clock send
 * time (`@<epoch ms, 3 decimals> `, FIREHOSE_STAMP_CHARS characters), written just before the
 * frame is sent, so a receiver can measure delivery latency on a shared clock.
 */
export interface FirehoseScript {
  deltas: number;
  chars: number;
  stamp?: boolean;
}

/** Control endpoints (all JSON):
 *  POST {prefix}/reset                      → clears script, log, refusals; closes all sockets
 *  POST {prefix}/script      {responses: ScriptedResponse[]}
 *  POST {prefix}/refuse      {status: number, times: number, message?: string}  next upgrades refused
 *  POST {prefix}/error-frame {code, message, status?}  sent on every open socket (idle ones too)
 *  POST {prefix}/drop-sockets                → closes every open socket abruptly
 *  POST {prefix}/release                     → releases held responses
 *  GET  {prefix}/log                         → EngineLog
 */
export interface EngineLog {
  /** WebSocket upgrades accepted (refused ones are not counted). */
  handshakes: number;
  /** Every client frame received, in arrival order. `frame` is the parsed JSON, `bytes` the
   *  frame's UTF-8 size, `t` its arrival on the engine's high-resolution clock (ms, performance.now). */
  frames: { socket: number; at: number; frame: Record<string, unknown>; bytes: number; t: number }[];
  /** Every WebSocket response whose events all went out, with the moment its terminal event was
   *  sent (`t`, same clock as `frames[].t`): the start of a continuation gap (bench/). */
  completed: { socket: number; response: string; t: number }[];
  /** Every HTTP POST to /responses or /responses/compact. */
  http: { path: string; at: number; headers: Record<string, string>; body: Record<string, unknown> }[];
  /** Upgrade handshake headers, per accepted socket, lower-cased names. */
  upgrades: { socket: number; headers: Record<string, string> }[];
}

export type { Item };
