// Compaction (PROTOCOL.md §4.8, openai/codex #28002): `POST {base}/responses/compact` replaces a
// thread's history with a shorter equivalent, and the turn goes on from there on a new chain and
// a new window. The compact request is part of the turn: it carries the turn's state as the
// `x-codex-turn-state` header, and an empty cell is filled from its response's header.
//
// The thread keeps what was said for the transcript, and the model's history starts again from
// the compacted items: both live in the items store, separated by a marker item that carries the
// compacted output (the marker itself is never sent to the model).
import { buildClientMetadata, type RequestIdentity } from './clientMetadata.ts';
import { asInputItem, type ModelSettings } from './requestBuilder.ts';
import type { FetchLike } from './responseStream.ts';
import { TURN_STATE_KEY, turnStateFromHeaders, type Item } from './wire.ts';

/** The marker's item type: ours, so no server's item can be mistaken for it. */
export const COMPACTION_MARKER = 'switchboard.compaction';

export interface CompactionMarker {
  type: typeof COMPACTION_MARKER;
  /** The window the compacted history starts (x-codex-window-id `<thread>:<window>`). */
  window: number;
  /** How many history items were compacted. */
  itemsBefore: number;
  /** The compacted history: what the model reads from here on, before later items. */
  output: Item[];
}

export function isCompactionMarker(item: Item): item is CompactionMarker & Item {
  return item.type === COMPACTION_MARKER && Array.isArray((item as { output?: unknown }).output);
}

/** The model's history and window from a thread's stored items: everything after the last
 *  compaction, starting with that compaction's output. */
export function historyFromItems(items: readonly Item[]): { history: Item[]; window: number } {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (isCompactionMarker(item)) return { history: [...item.output, ...items.slice(i + 1)], window: item.window };
  }
  return { history: [...items], window: 0 };
}

/** `POST …/responses` → `POST …/responses/compact`. */
export function compactUrlFor(responsesUrl: string): string {
  return `${responsesUrl.replace(/\/+$/, '')}/compact`;
}

export interface CompactRequest {
  fetch: FetchLike;
  url: string;
  settings: ModelSettings;
  identity: RequestIdentity;
  history: readonly Item[];
  /** The turn's cell value, if it has one: sent as the header, never in the body. */
  turnState: string | undefined;
  signal?: AbortSignal;
  /** Called with the response's `x-codex-turn-state` header as soon as the headers arrive, so the
   *  value counts even when the body then fails (§4.2). */
  onTurnState(value: string): void;
}

export type CompactOutcome = { ok: true; output: Item[] } | { ok: false; message: string; aborted?: boolean };

/** Runs one compact request; never rejects. */
export async function requestCompaction(request: CompactRequest): Promise<CompactOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (request.turnState !== undefined) headers[TURN_STATE_KEY] = request.turnState;
  const body = {
    model: request.settings.model,
    ...(request.settings.instructions ? { instructions: request.settings.instructions } : {}),
    input: request.history.map(asInputItem),
    client_metadata: buildClientMetadata(request.identity, undefined),
  };
  let response: Response;
  try {
    response = await request.fetch(request.url, { method: 'POST', headers, body: JSON.stringify(body), ...(request.signal ? { signal: request.signal } : {}) });
  } catch (error) {
    if (request.signal?.aborted) return { ok: false, message: 'stopped', aborted: true };
    return { ok: false, message: `the compact request failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const value = turnStateFromHeaders(Object.fromEntries(response.headers.entries()));
  if (value !== undefined) request.onTurnState(value);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (request.signal?.aborted) return { ok: false, message: 'stopped', aborted: true };
    return { ok: false, message: `the compact response broke off: ${error instanceof Error ? error.message : String(error)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: response.ok ? 'the compact response was not JSON' : `HTTP ${response.status}: ${text.slice(0, 300)}` };
  }
  if (!response.ok) {
    const message = (parsed as { error?: { message?: unknown } })?.error?.message;
    return { ok: false, message: `HTTP ${response.status}: ${typeof message === 'string' ? message : text.slice(0, 300)}` };
  }
  const output = (parsed as { output?: unknown })?.output;
  if (!Array.isArray(output) || !output.every((item) => item && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string')) {
    return { ok: false, message: 'the compact response has no `output` list of items' };
  }
  return { ok: true, output: output as Item[] };
}
