// Serves the built app from a directory: the files themselves, and index.html for any
// extension-less path (client-side routes such as /t/abc). Service worker and HTML are
// revalidated on every load; hashed assets under /assets/ are cached forever.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { requestPath } from './httpMessages.ts';

export interface AppHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** May be stored, but must be revalidated (ETag) before each use: index.html, sw.js and the rest. */
const REVALIDATE = 'no-cache';

export function createStaticFiles(root: string): AppHandler {
  const base = resolve(root);
  return {
    handle(req, res) {
      serve(base, req, res).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'Could not read the file.');
        else res.destroy();
      });
    },
    close: async () => undefined,
  };
}

async function serve(base: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendText(res, 405, 'Method not allowed.');
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(requestPath(req));
  } catch {
    sendText(res, 400, 'Malformed path.');
    return;
  }
  if (path.includes('\0')) {
    sendText(res, 400, 'Malformed path.');
    return;
  }
  if (extname(path) === '') {
    if (!(await sendFile(req, res, join(base, 'index.html'), REVALIDATE))) {
      sendText(res, 503, "Switchboard's app is not built yet: run `npm run build` (or `npm start`, which builds first).");
    }
    return;
  }
  // Resolving '.' + path keeps it under base unless it climbs out with '..', which we refuse.
  const file = resolve(base, `.${path}`);
  if (!file.startsWith(base + sep) || !(await sendFile(req, res, file, path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE))) {
    sendText(res, 404, 'Not found.');
  }
}

/** Sends a regular file with validators; resolves false if there is none at that path. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): Promise<boolean> {
  const stats = await stat(file).catch(() => undefined);
  if (!stats?.isFile()) return false;
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const common = { etag, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, common).end();
    return true;
  }
  res.writeHead(200, {
    ...common,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': stats.size,
    'last-modified': stats.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
  return true;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}
