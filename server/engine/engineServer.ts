// The engine on a listening HTTP server of its own: the e2e "scripted upstream", the benchmarks'
// server and the remote upstream of the relay's tests. serve.ts is its command line.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { MAX_REQUEST_BYTES, requestPath, sendApiError } from '../httpMessages.ts';
import { httpUrl, listen } from '../listening.ts';
import { rejectUpgrade } from '../upgradeRejection.ts';
import { createEngine, RESPONSES_PATH, type EngineOptions } from './engine.ts';

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
  const server = createServer((req, res) => {
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

  const port = await listen(server, options.port ?? 0, host);
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
