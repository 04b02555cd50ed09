// The embedded engine: a Responses-compatible server that lives in-process. It owns no listening
// socket; a host server (the relay, or engineServer.ts standalone) routes to it:
//
//   upgrade on RESPONSES_PATH → takeUpgradeRefusal(); if none, accept with `ws` → attachSocket(ws, req)
//   any HTTP request          → handleHttp(req, res) resolves true if the engine answered it
//
// Responses come from the offline agent, or from scripted plans when test hooks are on.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { requestPath, sendApiError } from '../httpMessages.ts';
import { serveCompactPost, serveResponsesPost, type HttpContext } from './httpEndpoints.ts';
import { errorEvent, type NewId } from './responseEvents.ts';
import { serveSocket } from './socketSession.ts';
import { CONTROL_PREFIX } from './testControl.ts';
import { createTestHooks, type EngineConnections, type UpgradeRefusal } from './testHooks.ts';

export type { UpgradeRefusal };

export const RESPONSES_PATH = '/v1/responses';
export const COMPACT_PATH = '/v1/responses/compact';
/** PROTOCOL.md §1: a connection lives at most 60 minutes. */
export const DEFAULT_MAX_CONNECTION_MS = 60 * 60 * 1000;

export interface EngineOptions {
  /** Enables the control routes under CONTROL_PREFIX and scripted responses (testControl.ts). */
  testHooks?: boolean;
  /** Age at which a socket gets `websocket_connection_limit_reached` and is closed. */
  maxConnectionMs?: number;
  /** Clock for connection age and log timestamps. */
  now?: () => number;
}

export interface Engine {
  /** Serves an accepted WebSocket on RESPONSES_PATH; `req` is its upgrade request. */
  attachSocket(ws: WebSocket, req: IncomingMessage): void;
  /** Test hooks: the scripted refusal for the next upgrade, if one is pending (it is consumed). */
  takeUpgradeRefusal(): UpgradeRefusal | undefined;
  /** Answers POST RESPONSES_PATH, POST COMPACT_PATH and (test hooks) CONTROL_PREFIX routes; false: not an engine route. */
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Terminates every socket and stream the engine serves and stops its timer. */
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const now = options.now ?? Date.now;
  const maxConnectionMs = options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS;
  const sockets = new Map<WebSocket, { openedAt: number }>();
  const streams = new Set<ServerResponse>();
  let socketCount = 0;
  let turnStateCount = 0;

  const newId: NewId = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
  const nextTurnState = (): string => `ts_${++turnStateCount}`;

  const connections: EngineConnections = {
    broadcastError(status, code, message) {
      const frame = JSON.stringify(errorEvent(status, code, message));
      let sent = 0;
      for (const ws of sockets.keys()) {
        if (ws.readyState !== ws.OPEN) continue;
        ws.send(frame);
        sent++;
      }
      return sent;
    },
    dropSockets() {
      const count = sockets.size;
      for (const ws of [...sockets.keys()]) ws.terminate();
      sockets.clear();
      return count;
    },
    abortHttpStreams() {
      for (const res of streams) res.destroy();
      streams.clear();
    },
  };
  const hooks = options.testHooks ? createTestHooks(now, connections) : undefined;
  const httpContext: HttpContext = {
    newId,
    now,
    nextTurnState,
    hooks,
    trackStream(res) {
      streams.add(res);
      res.on('close', () => streams.delete(res));
    },
  };

  // A timer rather than one timeout per socket, so an injected clock can age sockets too.
  const limitTimer = setInterval(() => {
    for (const [ws, { openedAt }] of sockets) {
      if (now() - openedAt < maxConnectionMs) continue;
      sockets.delete(ws);
      ws.send(JSON.stringify(errorEvent(400, 'websocket_connection_limit_reached',
        `This connection reached its ${Math.round(maxConnectionMs / 60_000)} minute limit; open a new connection.`)));
      ws.close(1000, 'connection limit reached');
    }
  }, limitCheckInterval(maxConnectionMs));
  limitTimer.unref();

  return {
    attachSocket(ws, req) {
      const socketId = ++socketCount;
      sockets.set(ws, { openedAt: now() });
      ws.on('close', () => sockets.delete(ws));
      hooks?.logUpgrade(socketId, req.headers);
      serveSocket(ws, socketId, { newId, nextTurnState, hooks });
    },

    takeUpgradeRefusal: () => hooks?.takeUpgradeRefusal(),

    async handleHttp(req, res) {
      const path = requestPath(req);
      if (hooks && path.startsWith(`${CONTROL_PREFIX}/`)) {
        await hooks.handleControl(req, res, path);
        return true;
      }
      if (path !== RESPONSES_PATH && path !== COMPACT_PATH) return false;
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendApiError(res, 405, 'method_not_allowed', `Use POST on ${path}.`);
        return true;
      }
      await (path === RESPONSES_PATH ? serveResponsesPost : serveCompactPost)(req, res, path, httpContext);
      return true;
    },

    async close() {
      clearInterval(limitTimer);
      connections.dropSockets();
      connections.abortHttpStreams();
      hooks?.releaseAll();
    },
  };
}

/** Often enough to be at most ~1 s (or a quarter of a short test limit) late, rarely enough to cost nothing. */
function limitCheckInterval(maxConnectionMs: number): number {
  return Math.min(1000, Math.max(5, Math.floor(maxConnectionMs / 4)));
}
