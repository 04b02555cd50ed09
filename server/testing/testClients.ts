// Test doubles for the server tests: a WebSocket client whose frames can be awaited one by one,
// an upgrade that is expected to be refused, and SSE / JSON helpers. No sleeps: everything
// resolves on a socket event.
import { request as httpRequest } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';
import { isTerminal } from '../../src/core/wire.ts';

export interface Received {
  binary: boolean;
  text: string;
  /** The parsed frame when it is a JSON object. */
  json: Record<string, unknown> | undefined;
}

export interface TestSocket {
  ws: WebSocket;
  send(frame: Record<string, unknown> | string): void;
  next(): Promise<Received>;
  /** Parsed events up to and including the next terminal event (completed/failed/incomplete/error). */
  untilTerminal(): Promise<Record<string, unknown>[]>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves on the pong of a ping sent now: every frame the peer sent before it has arrived. */
  roundTrip(): Promise<void>;
}

export function openTestSocket(url: string, options: ClientOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, options);
  const received: Received[] = [];
  const waiting: ((frame: Received) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    const text = buffer.toString('utf8');
    const frame: Received = { binary: isBinary, text, json: isBinary ? undefined : parseObject(text) };
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else received.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
  const next = (): Promise<Received> => {
    const frame = received.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      waiting.push(resolve);
      void closed.then(({ code }) => reject(new Error(`socket closed (${code}) while waiting for a frame`)));
    });
  };
  const socket: TestSocket = {
    ws,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next,
    async untilTerminal() {
      const events: Record<string, unknown>[] = [];
      for (;;) {
        const frame = await next();
        if (!frame.json) throw new Error(`non-JSON frame before the terminal event: ${frame.text.slice(0, 80)}`);
        events.push(frame.json);
        if (isTerminal(frame.json as { type: string })) return events;
      }
    },
    closed,
    roundTrip: () =>
      new Promise((resolve) => {
        ws.once('pong', () => resolve());
        ws.ping();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
  });
}

/** Opens a socket that the server is expected to refuse; resolves with the refusal's status and body. */
export function expectRefusedUpgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        ws.terminate();
      });
    });
    ws.on('error', () => undefined);
    ws.on('open', () => reject(new Error('upgrade unexpectedly accepted')));
  });
}

export function responseCreate(fields: Record<string, unknown>): Record<string, unknown> {
  return { type: 'response.create', model: 'test-model', input: [], ...fields };
}

export function userInput(text: string): Record<string, unknown>[] {
  return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }];
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Parses a complete `text/event-stream` body into { event, data } pairs. */
export function parseSse(body: string): { event: string | undefined; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length)).join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** A raw HTTP request, for headers fetch will not let us set (Host, Origin). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
