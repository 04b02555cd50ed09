// WebSocket close codes and reasons the relay sends to the browser (PROTOCOL.md §1).

/** RFC 6455: a close reason is at most 123 bytes of UTF-8. */
export const MAX_CLOSE_REASON_BYTES = 123;
/** Sent when the upstream socket ended in a way the browser cannot be told verbatim. */
export const UPSTREAM_FAILED_CLOSE_CODE = 1011;

/** An upstream refusal of the upgrade with HTTP status S becomes close code 4000+S (4426, 4404, 4500…). */
export function refusalCloseCode(status: number): number {
  return 4000 + status;
}

/** Truncates text to fit a close frame, on a character boundary, marking the cut with an ellipsis. */
export function fitCloseReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_CLOSE_REASON_BYTES) return text;
  const budget = MAX_CLOSE_REASON_BYTES - Buffer.byteLength('…');
  let fitted = '';
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > budget) break;
    fitted += char;
  }
  return `${fitted}…`;
}

/**
 * The close the browser gets when the upstream socket closed with `code`. 1000 and the
 * application range 3000–4999 pass through; anything else (1006 abnormal, 1005 no status,
 * 1011 server error…) cannot or should not be forwarded as is and becomes 1011.
 */
export function browserCloseFor(code: number, reason: string): { code: number; reason: string } {
  // 4400–4599 is how the relay reports a refused upgrade (4000+S); an upstream closing a working
  // socket with such a code must not be mistaken for one, so it becomes 1011 like other failures.
  const isRefusalCode = code >= 4400 && code < 4600;
  if (code === 1000 || (code >= 3000 && code <= 4999 && !isRefusalCode)) return { code, reason: fitCloseReason(reason) };
  const detail = reason === '' ? `upstream closed the connection (${code})` : `upstream closed the connection (${code}): ${reason}`;
  return { code: UPSTREAM_FAILED_CLOSE_CODE, reason: fitCloseReason(detail) };
}
