// `--dev`: Vite in middleware mode instead of the built files, with its HMR WebSocket on the
// relay's own server (Vite only takes upgrades that ask for its `vite-hmr`/`vite-ping` protocol).
import type { IncomingMessage, Server } from 'node:http';
import type { AppHandler } from './staticFiles.ts';

const VITE_PROTOCOLS = new Set(['vite-hmr', 'vite-ping']);

export async function createViteApp(httpServer: Server): Promise<AppHandler> {
  // Imported lazily: production runs never load Vite.
  const { createServer } = await import('vite');
  const vite = await createServer({ server: { middlewareMode: true, ws: { server: httpServer } }, appType: 'spa' });
  return {
    handle(req, res) {
      vite.middlewares(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.');
      });
    },
    close: () => vite.close(),
  };
}

/** An upgrade that Vite's own listener will take. */
export function isViteUpgrade(req: IncomingMessage): boolean {
  return VITE_PROTOCOLS.has(String(req.headers['sec-websocket-protocol'] ?? ''));
}
