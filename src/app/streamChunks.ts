// Splits growing text into frozen chunks plus an open tail, so that appending to a long stream
// re-lays-out only the tail: the browser re-shapes a whole paragraph (one text node) whenever it
// changes, which for a 100 kB answer costs more than a frame.

/** A chunk is closed at a newline once it reaches this many characters. */
const CHUNK_TARGET = 1024;
/** With no newline in sight, a chunk is closed at a space after this many characters. The
 *  line break this adds mid-paragraph lasts only while streaming (markdown replaces it). */
const CHUNK_HARD_MAX = 4096;

export interface StreamChunks {
  /** Closed chunks; their strings are kept (same identity) as the text grows. */
  frozen: string[];
  /** Characters covered by `frozen`. */
  frozenLength: number;
}

export const EMPTY_CHUNKS: StreamChunks = { frozen: [], frozenLength: 0 };

/**
 * Extends `previous` for `text`, which must start with the previous text (streams only grow).
 * Returns `previous` itself when no new chunk closed.
 */
export function extendChunks(previous: StreamChunks, text: string): StreamChunks {
  if (text.length < previous.frozenLength) return extendChunks(EMPTY_CHUNKS, text);
  let frozen: string[] | null = null;
  let start = previous.frozenLength;
  for (;;) {
    const end = closeAt(text, start);
    if (end === -1) break;
    (frozen ??= [...previous.frozen]).push(text.slice(start, end));
    start = end;
  }
  return frozen ? { frozen, frozenLength: start } : previous;
}

/** End (exclusive) of the chunk starting at `start`, or -1 while it should stay open. */
function closeAt(text: string, start: number): number {
  if (text.length - start <= CHUNK_TARGET) return -1;
  const newline = text.indexOf('\n', start + CHUNK_TARGET);
  if (newline !== -1 && newline - start < CHUNK_HARD_MAX) return newline + 1;
  if (text.length - start <= CHUNK_HARD_MAX) return -1;
  const space = text.lastIndexOf(' ', start + CHUNK_HARD_MAX);
  return space > start ? space + 1 : start + CHUNK_HARD_MAX;
}
