// Answers a WebSocket upgrade request with a plain HTTP error instead of `101 Switching Protocols`.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message, 'utf8');
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Connection: close',
  ].join('\r\n');
  // A client that hangs up first must not crash the server with an unhandled 'error'.
  socket.on('error', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]));
}
