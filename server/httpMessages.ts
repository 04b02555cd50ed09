// Reading and writing the small HTTP messages the relay and the engine exchange: bounded
// request bodies, JSON answers in the Responses API's error shape, and the request path.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body (or client WebSocket message) we accept: a long thread with big tool outputs fits easily. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds ${Math.round(limit / (1024 * 1024))} MiB.`);
  }
}

export class InvalidJsonError extends Error {}

/** The path of a request without its query string. Parsed by hand: `new URL('//x', base)` would treat `//x` as a host. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Buffers the request body, refusing it past `limit` bytes. On refusal the rest of the upload
 * is left unread (not destroyed) so the caller can still answer 413; that answer closes the
 * connection (see sendBodyError).
 */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Reads a JSON object body; an empty body counts as `{}`. */
export async function readJsonObject(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Record<string, unknown>> {
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidJsonError('Request body is not valid JSON.');
  }
  if (!isPlainObject(value)) throw new InvalidJsonError('Request body must be a JSON object.');
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** An error answer shaped like the Responses API's: `{ error: { type, code, message, param } }`. */
export function sendApiError(res: ServerResponse, status: number, code: string, message: string, param: string | null = null): void {
  sendJson(res, status, { error: { type: status >= 500 ? 'server_error' : 'invalid_request_error', code, message, param } });
}

/** Answers a failed body read (too large, not JSON) with the matching API error. */
export function sendBodyError(res: ServerResponse, error: unknown): void {
  if (error instanceof BodyTooLargeError) {
    // The unread rest of the upload makes the connection unusable for another request.
    res.setHeader('connection', 'close');
    sendApiError(res, 413, 'request_too_large', error.message);
  }
  else if (error instanceof InvalidJsonError) sendApiError(res, 400, 'invalid_json', error.message);
  else throw error;
}
