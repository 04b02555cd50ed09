// The relay: the one server the browser talks to. It serves the app (built files, or Vite in
// dev), and the Responses API at the same origin — WebSocket and HTTP under /v1/responses —
// either from the embedded engine or by forwarding to a remote server with the API key added.
// The key stays here: it is only ever sent upstream.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { fitCloseReason, refusalCloseCode } from './closeCodes.ts';
import { COMPACT_PATH, createEngine, RESPONSES_PATH, type Engine } from './engine/engine.ts';
import { CONTROL_PREFIX } from './engine/testControl.ts';
import { createHostGuard, type HostGuard } from './hostGuard.ts';
import { MAX_REQUEST_BYTES, requestPath, sendApiError } from './httpMessages.ts';
import { httpUrl, listen } from './listening.ts';
import { forwardToRemote } from './remoteHttp.ts';
import { bridgeToRemote } from './remoteSocketBridge.ts';
import { createStaticFiles, type AppHandler } from './staticFiles.ts';
import { rejectUpgrade } from './upgradeRejection.ts';
import { upstreamUrl } from './upstreamUrl.ts';
import { createViteApp, isViteUpgrade } from './viteDev.ts';

export type RelayUpstream =
  | { kind: 'engine'; testHooks?: boolean }
  | { kind: 'remote'; baseUrl: string; apiKey?: string };

export interface RelayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built app; default `dist/` under the working directory. Ignored with `dev`. */
  staticDir?: string;
  upstream: RelayUpstream;
  /** Serve the app through Vite (middleware mode, HMR) instead of built files. */
  dev?: boolean;
  /** The model name the app sends (the broker reads it from CONFIG_PATH); default DEFAULT_MODEL. */
  model?: string;
  /** Broker tuning the app picks up at start (pool size, socket lifetimes, frame limit). */
  broker?: BrokerTuning;
  log?: (line: string) => void;
}

/** What the app learns from the relay at start: never a secret. */
export const CONFIG_PATH = '/api/config';
/** The embedded engine accepts any model name; a real upstream needs one it serves. */
export const DEFAULT_MODEL = 'gpt-5.1-codex';
export interface RelayConfig {
  model: string;
  upstream: 'engine' | 'remote';
  broker: BrokerTuning;
}

/** Settings of the broker's pool that an operator (or a test) may set; absent: the defaults. */
export interface BrokerTuning {
  maxSockets?: number;
  socketMaxAgeMs?: number;
  socketIdleMs?: number;
  maxFrameBytes?: number;
}

export interface Relay {
  /** e.g. `http://127.0.0.1:4173` */
  url: string;
  close(): Promise<void>;
}

/** Where API traffic goes: the in-process engine, or a remote server reached with the key. */
type Backend =
  | { kind: 'engine'; engine: Engine }
  | { kind: 'remote'; baseUrl: string; apiKey: string | undefined; wsUrl: string };

/** The prefix the browser uses; the remote base URL (e.g. https://api.openai.com/v1) replaces it. */
const API_PREFIX = '/v1';

export async function createRelay(options: RelayOptions): Promise<Relay> {
  const log = options.log ?? (() => undefined);
  const { upstream } = options;
  const backend: Backend =
    upstream.kind === 'engine'
      ? { kind: 'engine', engine: createEngine({ testHooks: upstream.testHooks }) }
      : // Building the URL validates the base URL before anything listens.
        { kind: 'remote', baseUrl: upstream.baseUrl, apiKey: upstream.apiKey, wsUrl: upstreamUrl(upstream.baseUrl, '/responses', 'ws') };

  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const app: AppHandler = options.dev ? await createViteApp(server) : createStaticFiles(options.staticDir ?? resolve('dist'));
  // Rejects everything until the real port is known (port 0); replaced right after listening.
  let guard: HostGuard = createHostGuard(options.host, options.port);

  // Exactly these two paths reach the upstream with the key: anything else under /v1 (dot
  // segments included, encoded or not) must never be turned into another authenticated endpoint.
  const isResponsesPath = (path: string): boolean => path === RESPONSES_PATH || path === COMPACT_PATH;
  // Control routes are API routes even when unavailable, so they answer 404 rather than the app.
  const isApiPath = (path: string): boolean => path.startsWith(`${API_PREFIX}/`) || path.startsWith(`${CONTROL_PREFIX}/`);

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!guard.hostAllowed(req)) {
      forbid(res, 'Host not allowed: open the relay at its loopback address.');
      return;
    }
    const path = requestPath(req);
    if (path === CONFIG_PATH) {
      const config: RelayConfig = { model: options.model ?? DEFAULT_MODEL, upstream: backend.kind, broker: options.broker ?? {} };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
      return;
    }
    if (!isApiPath(path)) {
      app.handle(req, res);
      return;
    }
    if (!guard.originAllowed(req)) {
      forbid(res, 'Origin not allowed.');
      return;
    }
    if (backend.kind === 'engine') {
      // The engine serves the control routes only when its test hooks are on.
      if (!(await backend.engine.handleHttp(req, res))) sendApiError(res, 404, 'not_found', `No route for ${req.method} ${path}.`);
      return;
    }
    if (!isResponsesPath(path)) {
      // Test-control routes are never forwarded upstream.
      sendApiError(res, 404, 'not_found', `No route for ${req.method} ${path}.`);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendApiError(res, 405, 'method_not_allowed', `Use POST on ${path}.`);
      return;
    }
    const url = upstreamUrl(backend.baseUrl, path.slice(API_PREFIX.length), 'http');
    await forwardToRemote(req, res, { url, apiKey: backend.apiKey, log });
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = requestPath(req);
    if (path !== RESPONSES_PATH) {
      // Vite's HMR listener, on the same server, takes its own upgrades.
      if (options.dev && isViteUpgrade(req)) return;
      rejectUpgrade(socket, 404, `No WebSocket endpoint at ${path}; use ${RESPONSES_PATH}.`);
      return;
    }
    if (!guard.hostAllowed(req) || !guard.originAllowed(req)) {
      rejectUpgrade(socket, 403, 'Forbidden: Host or Origin not allowed.');
      return;
    }
    if (backend.kind === 'remote') {
      wss.handleUpgrade(req, socket, head, (ws) => bridgeToRemote(ws, { url: backend.wsUrl, apiKey: backend.apiKey, log }));
      return;
    }
    // A scripted refusal is reported the way a remote one would be: the browser cannot read an
    // upgrade's status, so it gets close code 4000+S after the upgrade (PROTOCOL.md §1).
    const { engine } = backend;
    const refusal = engine.takeUpgradeRefusal();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) ws.close(refusalCloseCode(refusal.status), fitCloseReason(refusal.message));
      else engine.attachSocket(ws, req);
    });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      log(`relay: ${req.method} ${requestPath(req)} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendApiError(res, 500, 'relay_error', 'The relay failed to handle this request.');
      else res.destroy();
    });
  });
  server.on('upgrade', handleUpgrade);

  let port: number;
  try {
    port = await listen(server, options.port, options.host);
  } catch (error) {
    if (backend.kind === 'engine') await backend.engine.close();
    await app.close();
    throw error;
  }
  guard = createHostGuard(options.host, port);

  return {
    url: httpUrl(options.host, port),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      if (backend.kind === 'engine') await backend.engine.close();
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function forbid(res: ServerResponse, message: string): void {
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(message);
}
