// Relays one browser WebSocket to its own upstream WebSocket on a remote Responses server,
// adding the credentials the browser cannot send (PROTOCOL.md §1). Frames pass through
// untouched, in order, text as text and binary as binary: the relay never parses them, so
// protocol errors stay visible to the client and the key never enters a frame.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import WebSocket, { type RawData } from 'ws';
import { RESPONSES_WS_BETA } from '../src/core/wire.ts';
import { browserCloseFor, fitCloseReason, refusalCloseCode, UPSTREAM_FAILED_CLOSE_CODE } from './closeCodes.ts';

export interface RemoteSocketTarget {
  /** ws(s)://…/responses */
  url: string;
  apiKey?: string;
  log: (line: string) => void;
}

const UPSTREAM_HANDSHAKE_TIMEOUT_MS = 15_000;

/** Enough of a refusal's body for a close reason (which is cut to 123 bytes anyway). */
const REFUSAL_BODY_READ_LIMIT = 4096;

export function bridgeToRemote(browser: WebSocket, target: RemoteSocketTarget): void {
  const headers: Record<string, string> = { 'OpenAI-Beta': RESPONSES_WS_BETA };
  if (target.apiKey) headers.Authorization = `Bearer ${target.apiKey}`;
  // A handshake that hangs (a half-open path) fails after this long instead of never.
  const upstream = new WebSocket(target.url, { headers, handshakeTimeout: UPSTREAM_HANDSHAKE_TIMEOUT_MS });
  // Frames the browser sends while the upstream handshake is still running, flushed in order on open.
  const early: { data: RawData; isBinary: boolean }[] = [];
  // Set once the browser's socket is closing: later upstream events must not close it again.
  let browserDone = false;

  const closeBrowser = (code: number, reason: string): void => {
    if (browserDone) return;
    browserDone = true;
    early.length = 0;
    browser.close(code, reason);
  };

  browser.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else if (upstream.readyState === WebSocket.CONNECTING) early.push({ data, isBinary });
  });
  browser.on('close', () => {
    browserDone = true;
    early.length = 0;
    if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  });
  browser.on('error', () => upstream.terminate());

  upstream.on('open', () => {
    for (const { data, isBinary } of early.splice(0)) upstream.send(data, { binary: isBinary });
  });
  upstream.on('message', (data, isBinary) => {
    if (browser.readyState === WebSocket.OPEN) browser.send(data, { binary: isBinary });
  });
  upstream.on('unexpected-response', (_request, response) => {
    void readRefusal(response).then((body) => {
      const status = response.statusCode ?? 500;
      target.log(`upstream refused the WebSocket upgrade with ${status}`);
      closeBrowser(refusalCloseCode(status), fitCloseReason(body.trim() || (STATUS_CODES[status] ?? '')));
      // Handling 'unexpected-response' makes aborting the handshake our job.
      upstream.terminate();
    });
  });
  upstream.on('error', (error) => {
    if (browserDone) return;
    target.log(`upstream WebSocket error: ${error.message}`);
    closeBrowser(UPSTREAM_FAILED_CLOSE_CODE, fitCloseReason(`upstream unreachable: ${error.message}`));
  });
  upstream.on('close', (code, reason) => {
    const close = browserCloseFor(code, reason.toString('utf8'));
    closeBrowser(close.code, close.reason);
  });
}

function readRefusal(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      if (size >= REFUSAL_BODY_READ_LIMIT) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', finish);
    response.on('error', finish);
  });
}
