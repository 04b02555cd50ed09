// Test doubles for the broker's injected dependencies, in one place: a manual clock, a scripted
// upstream behind the OpenSocket/fetch interfaces, and builders for server event sequences.
import type { Clock } from '../clock.ts';
import type { OpenSocket, RawSocketHandlers } from '../socketPool.ts';
import type { FetchLike } from '../responseStream.ts';
import type { JsRunner } from '../tools/toolContract.ts';
import type { Item, ResponseCreate } from '../wire.ts';

/** Lets queued promise callbacks run, including ones they schedule. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  pending(): number;
}

export function createManualClock(start = 1_000_000): ManualClock {
  let now = start;
  let nextHandle = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const handle = nextHandle++;
      timers.set(handle, { at: now + Math.max(0, ms), fn });
      return handle;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await flushMicrotasks();
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
      await flushMicrotasks();
    },
  };
}

/** Timers at least this long are housekeeping (idle sockets, rotation), not waits a test is in. */
const HOUSEKEEPING_MS = 60_000;

/** A clock whose short timers (backoff, batching, progress saves) fire on the next macrotask
 *  whatever their delay, and whose housekeeping timers never fire: for tests that only need
 *  waits to end, not to measure them. */
export const instantClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => (ms >= HOUSEKEEPING_MS ? null : setTimeout(fn, 0)),
  clearTimeout: (handle) => {
    if (handle !== null) clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

// ---- server event builders ----

type Event = Record<string, unknown> & { type: string };

let idCounter = 0;
const nextId = (prefix: string) => `${prefix}_${++idCounter}`;

export interface ScriptedAnswer {
  text?: string;
  calls?: { name: string; args: Record<string, unknown> }[];
  /** Turn state advertised in a response.metadata event (WS) or header (HTTP). */
  turnState?: string;
  /** usage.input_tokens reported in response.completed (default 10). */
  inputTokens?: number;
}

/** The event sequence of a response (PROTOCOL.md §3) with the given text and function calls. */
export function responseEvents(answer: ScriptedAnswer, responseId = nextId('resp')): Event[] {
  const events: Event[] = [{ type: 'response.created', response: { id: responseId, status: 'in_progress', output: [] } }];
  if (answer.turnState !== undefined) events.push({ type: 'response.metadata', response_id: responseId, headers: { 'x-codex-turn-state': answer.turnState } });
  const output: Item[] = [];
  if (answer.text !== undefined) {
    const id = nextId('msg');
    events.push({ type: 'response.output_item.added', output_index: output.length, item: { type: 'message', id, role: 'assistant', content: [] } });
    const half = Math.ceil(answer.text.length / 2);
    for (const delta of [answer.text.slice(0, half), answer.text.slice(half)]) {
      if (delta) events.push({ type: 'response.output_text.delta', item_id: id, output_index: output.length, content_index: 0, delta });
    }
    const item: Item = { type: 'message', id, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text }] };
    events.push({ type: 'response.output_item.done', output_index: output.length, item });
    output.push(item);
  }
  for (const call of answer.calls ?? []) {
    const item: Item = { type: 'function_call', id: nextId('fc'), call_id: nextId('call'), name: call.name, arguments: JSON.stringify(call.args), status: 'completed' };
    events.push({ type: 'response.output_item.done', output_index: output.length, item });
    output.push(item);
  }
  events.push({ type: 'response.completed', response: { id: responseId, status: 'completed', output, usage: { input_tokens: answer.inputTokens ?? 10, output_tokens: 5, total_tokens: (answer.inputTokens ?? 10) + 5 } } });
  return events;
}

export function errorEvent(code: string, message = code, status = 400): Event {
  return { type: 'error', status, error: { type: 'invalid_request_error', code, message } };
}

// ---- a scripted upstream ----

export interface FakeServerSocket {
  id: number;
  frames: ResponseCreate[];
  open: boolean;
  send(event: Event | string | ArrayBuffer): void;
  /** The connection dies (as a killed process or network would do it). */
  drop(code?: number, reason?: string): void;
}

/** What the server does with one request: events to send, or a custom action. */
export type Responder = (request: ResponseCreate, socket: FakeServerSocket) => Event[] | 'hold' | void;

export interface FakeUpstream {
  openSocket: OpenSocket;
  fetch: FetchLike;
  sockets: FakeServerSocket[];
  /** Every request in arrival order, over either transport. */
  requests: { transport: 'ws' | 'http'; socket?: number; body: ResponseCreate; headers?: Record<string, string> }[];
  /** Refuse the next upgrades with these close codes (4426, 4404, 1006, …). */
  refuse(...codes: number[]): void;
  respondWith(responder: Responder): void;
  /** Responses answered over HTTP: events plus the turn-state response header. */
  httpResponder: (body: ResponseCreate, headers: Record<string, string>) => { events: Event[]; turnState?: string };
  /** `POST …/responses/compact`: the compacted output, or an error status; every call is also
   *  in `compactions`. */
  compactResponder: (body: { input: Item[] }, headers: Record<string, string>) => { output?: Item[]; turnState?: string; status?: number };
  compactions: { body: { input: Item[]; client_metadata?: Record<string, string> }; headers: Record<string, string> }[];
}

export function createFakeUpstream(): FakeUpstream {
  const sockets: FakeServerSocket[] = [];
  const refusals: number[] = [];
  let responder: Responder = () => responseEvents({ text: 'ok' });
  const upstream: FakeUpstream = {
    sockets,
    requests: [],
    refuse: (...codes) => void refusals.push(...codes),
    respondWith: (r) => void (responder = r),
    httpResponder: (body) => ({ events: responseEvents({ text: `http answer to ${body.input.length} items` }) }),
    compactResponder: (body) => ({ output: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `summary of ${body.input.length} items` }] }] }),
    compactions: [],
    openSocket(handlers: RawSocketHandlers) {
      const id = sockets.length + 1;
      const refusal = refusals.shift();
      // Frames and the close are delivered in the order the server produced them, each on its
      // own microtask, as a real socket delivers buffered frames before its close event.
      let delivered = Promise.resolve();
      let closed = false;
      const deliver = (action: () => void) => {
        delivered = delivered.then(() => (closed ? undefined : action()));
      };
      const socket: FakeServerSocket = {
        id,
        frames: [],
        open: false,
        send(event) {
          if (!socket.open) return;
          const data = typeof event === 'string' || event instanceof ArrayBuffer ? event : JSON.stringify(event);
          deliver(() => handlers.onMessage(data));
        },
        drop(code = 1006, reason = '') {
          if (!socket.open) return;
          socket.open = false;
          deliver(() => {
            closed = true;
            handlers.onClose(code, reason);
          });
        },
      };
      sockets.push(socket);
      queueMicrotask(() => {
        if (refusal !== undefined) return handlers.onClose(refusal, `refused with ${refusal}`);
        socket.open = true;
        handlers.onOpen();
      });
      return {
        send(data) {
          if (!socket.open) throw new Error('socket closed');
          const request = JSON.parse(data) as ResponseCreate;
          socket.frames.push(request);
          upstream.requests.push({ transport: 'ws', socket: id, body: request });
          const result = responder(request, socket);
          if (Array.isArray(result)) for (const event of result) socket.send(event);
        },
        close() {
          if (!socket.open) return;
          socket.open = false;
          // A client-side close discards whatever the server had in flight.
          closed = true;
          queueMicrotask(() => handlers.onClose(1000, 'closed by client'));
        },
      };
    },
    async fetch(url, init) {
      if (url.endsWith('/compact')) {
        const body = JSON.parse(init.body) as { input: Item[] };
        upstream.compactions.push({ body, headers: init.headers });
        const answer = upstream.compactResponder(body, init.headers);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (answer.turnState !== undefined) headers['x-codex-turn-state'] = answer.turnState;
        const status = answer.status ?? 200;
        const payload = status === 200 ? { output: answer.output ?? [] } : { error: { message: 'compaction is broken today' } };
        return new Response(JSON.stringify(payload), { status, headers });
      }
      const body = JSON.parse(init.body) as ResponseCreate;
      upstream.requests.push({ transport: 'http', body, headers: init.headers });
      const { events, turnState } = upstream.httpResponder(body, init.headers);
      const sse = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
      const headers: Record<string, string> = { 'content-type': 'text/event-stream' };
      if (turnState !== undefined) headers['x-codex-turn-state'] = turnState;
      return new Response(sse, { status: 200, headers });
    },
  };
  return upstream;
}

/** A run_js that "runs" code by echoing it: the broker tests need the plumbing, not QuickJS. */
export const fakeJsRunner: JsRunner = {
  async run(code) {
    return { console: `ran: ${code}`, result: 'undefined', truncated: false };
  },
};
