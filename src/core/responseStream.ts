// Runs one response over one transport and reduces its stream to an outcome the agent loop can
// act on. Every event is also handed to `onEvent` as it arrives, for the tabs to render.
import { decodeFrame } from './responseCodec.ts';
import { createSseParser } from './sseParser.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { SocketLease } from './socketPool.ts';
import { isTerminal, turnStateFromHeaders, type Item, type ResponseBody, type ResponseCreate, type ResponseObject, type ServerEvent } from './wire.ts';

export type ResponseOutcome =
  | { kind: 'completed'; response: ResponseObject; items: Item[] }
  /** `response.failed` / `response.incomplete`: the server ended the response unsuccessfully. */
  | { kind: 'failed'; message: string }
  /** An `error` frame (or an HTTP error status) instead of a terminal response event. */
  | { kind: 'error'; status?: number; code?: string; message: string }
  /** The connection died before a terminal event. `silent`: not one frame had arrived (the
   *  relay could not reach the upstream, or the request never left). */
  | { kind: 'dropped'; code: number; reason: string; silent: boolean }
  /** The server broke the protocol (malformed, binary or oversized frame). */
  | { kind: 'protocol'; message: string }
  | { kind: 'aborted' };

export type AnyServerEvent = ServerEvent | { type: string; [key: string]: unknown };

export interface StreamHandlers {
  onEvent(event: AnyServerEvent): void;
}

/** Collects output items from `output_item.done` in case `response.completed` omits them. */
function createOutcomeReducer() {
  const items: Item[] = [];
  return {
    take(event: AnyServerEvent): ResponseOutcome | null {
      if (event.type === 'response.output_item.done') {
        const e = event as Extract<ServerEvent, { type: 'response.output_item.done' }>;
        if (e.item) items.push(e.item);
        return null;
      }
      if (!isTerminal(event)) return null;
      const e = event as ServerEvent;
      switch (e.type) {
        case 'response.completed': {
          const output = Array.isArray(e.response?.output) && e.response.output.length > 0 ? e.response.output : items;
          return { kind: 'completed', response: e.response, items: output };
        }
        case 'response.failed':
        case 'response.incomplete': {
          const detail = e.response?.error?.message ?? e.response?.incomplete_details?.reason ?? e.type.replace('response.', '');
          return { kind: 'failed', message: `The response ended as ${e.response?.status ?? 'failed'}: ${detail}` };
        }
        case 'error': {
          const outcome: ResponseOutcome = { kind: 'error', message: e.error?.message ?? 'The server reported an error.' };
          if (typeof e.status === 'number') outcome.status = e.status;
          if (e.error?.code) outcome.code = e.error.code;
          return outcome;
        }
        default:
          return null;
      }
    },
  };
}

export interface WsStreamOptions {
  maxFrameBytes?: number;
  signal?: AbortSignal;
  /** A socket that goes silent this long mid-response is treated as dead (a half-open
   *  connection never closes by itself): the response ends as `dropped` and can be resent. */
  inactivity?: { clock: Clock; ms: number };
}

/** Sends `request` on the lease and resolves with the outcome; never rejects. */
export function streamOverSocket(lease: SocketLease, request: ResponseCreate, handlers: StreamHandlers, options: WsStreamOptions = {}): Promise<ResponseOutcome> {
  return new Promise<ResponseOutcome>((resolve) => {
    const reducer = createOutcomeReducer();
    let frames = 0;
    let settled = false;
    let silence: TimerHandle | null = null;
    let lastHeardAt = 0;
    // One timer for the whole response, not one per frame: re-arming it on every frame was 40 % of
    // the broker's time per frame while a 1 MiB answer streamed (a CPU profile of the worker).
    // When it fires it checks when the server was last heard from and waits out the rest.
    const armSilence = (inactivity: NonNullable<WsStreamOptions['inactivity']>, ms: number) => {
      silence = inactivity.clock.setTimeout(() => {
        const quietFor = inactivity.clock.now() - lastHeardAt;
        if (quietFor < inactivity.ms) return armSilence(inactivity, inactivity.ms - quietFor);
        lease.discard('no data from the server');
        settle({ kind: 'dropped', code: 4998, reason: `no data from the server for ${Math.round(inactivity.ms / 1000)} s`, silent: frames === 0 });
      }, ms);
    };
    const watchSilence = () => {
      const inactivity = options.inactivity;
      if (!inactivity) return;
      lastHeardAt = inactivity.clock.now();
      if (silence === null) armSilence(inactivity, inactivity.ms);
    };
    const settle = (outcome: ResponseOutcome) => {
      if (settled) return;
      settled = true;
      if (silence !== null) options.inactivity?.clock.clearTimeout(silence);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => settle({ kind: 'aborted' });
    if (options.signal?.aborted) return settle({ kind: 'aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    lease.listen({
      onFrame(data) {
        if (settled) return;
        frames += 1;
        watchSilence();
        const decoded = decodeFrame(data, options.maxFrameBytes);
        if (!decoded.ok) return settle({ kind: 'protocol', message: decoded.message });
        handlers.onEvent(decoded.event);
        const outcome = reducer.take(decoded.event);
        if (outcome) settle(outcome);
      },
      onClose(code, reason) {
        settle({ kind: 'dropped', code, reason, silent: frames === 0 });
      },
    });
    watchSilence();
    try {
      lease.send(JSON.stringify(request));
    } catch (error) {
      settle({ kind: 'dropped', code: 1006, reason: error instanceof Error ? error.message : String(error), silent: true });
    }
  });
}

/** The fetch we need; the worker passes the global one, tests a fake. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<Response>;

export interface HttpStreamOptions {
  fetch: FetchLike;
  url: string;
  body: ResponseBody;
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** PROTOCOL.md §4.6: over HTTP the turn state comes only from the response header. */
  onTurnState(value: string): void;
}

export async function streamOverHttp(options: HttpStreamOptions, handlers: StreamHandlers): Promise<ResponseOutcome> {
  let response: Response;
  try {
    const init: Parameters<FetchLike>[1] = { method: 'POST', headers: options.headers, body: JSON.stringify(options.body) };
    if (options.signal) init.signal = options.signal;
    response = await options.fetch(options.url, init);
  } catch (error) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    return { kind: 'dropped', code: 1006, reason: error instanceof Error ? error.message : String(error), silent: true };
  }
  const turnState = turnStateFromHeaders(Object.fromEntries(response.headers.entries()));
  if (turnState !== undefined) options.onTurnState(turnState);
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 500) || response.statusText;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string; code?: string } };
      if (parsed.error?.message) message = parsed.error.message;
      if (parsed.error?.code) return { kind: 'error', status: response.status, code: parsed.error.code, message };
    } catch {
      // Not JSON: the text itself is the message.
    }
    return { kind: 'error', status: response.status, message: `HTTP ${response.status}: ${message}` };
  }
  if (!response.body) return { kind: 'protocol', message: 'The server answered without a body.' };
  const reducer = createOutcomeReducer();
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  const consume = (messages: { data: string }[]): ResponseOutcome | null => {
    for (const message of messages) {
      const decoded = decodeFrame(message.data);
      if (!decoded.ok) return { kind: 'protocol', message: decoded.message };
      // A `response.metadata` event over SSE is not a turn-state source (§4.6); still an event.
      handlers.onEvent(decoded.event);
      const outcome = reducer.take(decoded.event);
      if (outcome) return outcome;
    }
    return null;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const outcome = done ? consume(parser.end()) : consume(parser.push(decoder.decode(value, { stream: true })));
      if (outcome) {
        void reader.cancel().catch(() => undefined);
        return outcome;
      }
      if (done) return { kind: 'dropped', code: 1006, reason: 'the HTTP stream ended before the response completed', silent: false };
    }
  } catch (error) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    return { kind: 'dropped', code: 1006, reason: error instanceof Error ? error.message : String(error), silent: false };
  }
}
