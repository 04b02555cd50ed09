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
  /** Milliseconds between `response.created` and the events after it, as a model's time to first
   *  token (default 0). */
  firstTokenDelayMs?: number;
  /** Hold the response before its first event until `POST /__engine/release` is called. */
  hold?: boolean;
  /** Benchmark mode (bench/): stream this many synthetic text deltas instead of `text`. */
  firehose?: FirehoseScript;
  /**
   * Token counts reported in `response.completed.response.usage` (total_tokens is their sum),
   * e.g. to push the broker past its compaction threshold. Omitted: the engine's estimate
   * (about a token per 4 characters of the conversation's JSON). Ignored by warmups.
   */
  usage?: ScriptedUsage;
}

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
}

/**
 * One scripted answer to `POST /v1/responses/compact` (PROTOCOL.md §4.8).
 * `POST /__engine/script-compact` appends these to their own FIFO queue, separate from the
 * responses' queue; each compact request takes the first that fits (`onlyFor`), or gets the
 * default: the offline summary (compactConversation) with the engine's counter turn state.
 */
export interface ScriptedCompaction {
  /** Taken only by a compact request whose input contains this text (see ScriptedResponse.onlyFor). */
  onlyFor?: string;
  /**
   * The `x-codex-turn-state` response header. Omitted: the engine's counter value (`ts_<n>`);
   * `null`: no header. With `error`, the header is sent only when this is a string.
   */
  turnState?: string | null;
  /** The compacted conversation returned as `output`. Omitted: the offline summary. */
  output?: Item[];
  /** Answer with this HTTP error (the API's error body) instead of a compaction. */
  error?: { status: number; code: string; message: string };
  /** Hold the answer until `POST /__engine/release` (the same release as held responses). */
  hold?: boolean;
}

/** The body of a successful `POST /v1/responses/compact`, as the real API shapes it. */
export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  /** Unix seconds. */
  created_at: number;
  output: Item[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
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
 *  POST {prefix}/reset                      → clears both scripts, log, refusals; closes all sockets
 *  POST {prefix}/script      {responses: ScriptedResponse[]}   → {queued: n}, n = plans now in the queue
 *  POST {prefix}/script-compact {compactions: ScriptedCompaction[]}  → {queued: n}, n = compactions now in theirs
 *  POST {prefix}/refuse      {status: number, times: number, message?: string}  next upgrades refused
 *  POST {prefix}/error-frame {code, message, status?}  sent on every open socket (idle ones too)
 *  POST {prefix}/drop-sockets                → closes every open socket abruptly
 *  POST {prefix}/release                     → releases held responses and compactions → {released: n}
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
  /** Every HTTP POST to /responses or /responses/compact, with its request headers (lower-cased
   *  names: the turn state a compaction sent is `headers['x-codex-turn-state']`) and JSON body. */
  http: { path: string; at: number; headers: Record<string, string>; body: Record<string, unknown> }[];
  /** Upgrade handshake headers, per accepted socket, lower-cased names, and when it was accepted
   *  (`t`, same clock as `frames[].t`). */
  upgrades: { socket: number; headers: Record<string, string>; t: number }[];
}

export type { Item };
