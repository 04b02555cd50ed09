// Forwards a browser's POST under /v1/responses to the remote server with the credentials
// added, and streams the answer back as it arrives (SSE must not be buffered).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TURN_STATE_KEY } from '../src/core/wire.ts';
import { readBody, sendApiError, sendBodyError } from './httpMessages.ts';

export interface RemoteHttpTarget {
  /** Full upstream URL, e.g. https://api.openai.com/v1/responses/compact */
  url: string;
  apiKey?: string;
  log: (line: string) => void;
}

/** Request headers passed up as they are; the turn state travels here over HTTP (PROTOCOL.md §4 rule 3). */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', TURN_STATE_KEY] as const;
/** Response headers passed down; the turn state is learned from here (§4 rule 6). */
const FORWARDED_RESPONSE_HEADERS = ['content-type', TURN_STATE_KEY] as const;

export async function forwardToRemote(req: IncomingMessage, res: ServerResponse, target: RemoteHttpTarget): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    sendBodyError(res, error);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;

  // The browser going away (e.g. a stopped turn) cancels the upstream request too.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  let upstream: Response;
  try {
    upstream = await fetch(target.url, { method: 'POST', headers, body: new Uint8Array(body), signal: abort.signal });
  } catch (error) {
    if (abort.signal.aborted) return;
    const reason = describeFetchError(error);
    target.log(`upstream HTTP request failed: ${reason}`);
    sendApiError(res, 502, 'upstream_unreachable', `The relay could not reach the upstream server: ${reason}`);
    return;
  }

  const down: Record<string, string> = {};
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) down[name] = value;
  }
  res.writeHead(upstream.status, down);
  res.flushHeaders();
  if (!upstream.body) {
    res.end();
    return;
  }
  const reader = upstream.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    // Upstream stream broke (or the browser left): cut the browser's stream so it sees the failure.
    res.destroy();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : error.message;
}
