// The engine on a listening HTTP server of its own: the e2e "scripted upstream", the benchmarks'
// server and the remote upstream of the relay's tests. serve.ts is its command line.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { MAX_REQUEST_BYTES, readJsonObject, requestPath, sendApiError, sendJson } from '../httpMessages.ts';
import { httpUrl, listen } from '../listening.ts';
import { rejectUpgrade } from '../upgradeRejection.ts';
import { createEngine, RESPONSES_PATH, type EngineOptions } from './engine.ts';
import { CONTROL_PREFIX } from './testControl.ts';

/** Test hook of the standalone server only: `POST /__engine/offline {ms}` stops listening and
 *  drops every connection for `ms`, then listens again on the same port — an upstream that is
 *  really gone (connections refused), not one that merely misbehaves. */
export const OFFLINE_PATH = `${CONTROL_PREFIX}/offline`;

export interface EngineServerOptions extends EngineOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface EngineServer {
  /** e.g. `http://127.0.0.1:4311`; the Responses base URL is `${url}/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEngineServer(options: EngineServerOptions = {}): Promise<EngineServer> {
  const host = options.host ?? '127.0.0.1';
  const engine = createEngine(options);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  let port = 0;
  const goOffline = async (ms: number): Promise<void> => {
    await engine.close(); // drops sockets and streams, and the connection-age timer
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    setTimeout(() => void listen(server, port, host).catch(() => undefined), ms);
  };
  const server = createServer((req, res) => {
    if (options.testHooks && req.method === 'POST' && requestPath(req) === OFFLINE_PATH) {
      void readJsonObject(req).then((body) => {
        const ms = typeof body.ms === 'number' && body.ms >= 0 ? Math.min(body.ms, 60_000) : 1000;
        sendJson(res, 200, { offlineForMs: ms });
        res.on('finish', () => void goOffline(ms));
      }, () => sendApiError(res, 400, 'invalid_request', 'Body must be JSON {"ms": number}.'));
      return;
    }
    engine.handleHttp(req, res).then(
      (handled) => {
        if (!handled) sendApiError(res, 404, 'not_found', `No route for ${req.method} ${requestPath(req)}.`);
      },
      (error: unknown) => {
        if (!res.headersSent) sendApiError(res, 500, 'engine_error', String(error));
        else res.destroy();
      },
    );
  });
  server.on('upgrade', (req, socket, head) => {
    if (requestPath(req) !== RESPONSES_PATH) {
      rejectUpgrade(socket, 404, `No WebSocket endpoint at ${requestPath(req)}; use ${RESPONSES_PATH}.`);
      return;
    }
    const refusal = engine.takeUpgradeRefusal();
    if (refusal) {
      rejectUpgrade(socket, refusal.status, refusal.message);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => engine.attachSocket(ws, req));
  });

  port = await listen(server, options.port ?? 0, host);
  return {
    url: httpUrl(host, port),
    port,
    async close() {
      await engine.close();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
