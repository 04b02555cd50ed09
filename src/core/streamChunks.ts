// Streaming text as frozen chunks plus an open tail, kept as the deltas arrive, so that neither
// the store nor the renderer ever touches the whole text while it streams:
// - The browser re-shapes a whole paragraph (one text node) whenever it changes, which for a
//   100 kB answer costs more than a frame: each frozen chunk is its own node, and a frame
//   re-lays-out only the tail.
// - A string grown by `+=` is a rope; reading it (slice, indexOf) makes V8 copy all of it into
//   one flat string. Chunking the whole text on every frame did that for each batch: a 1 MiB
//   answer cost ~2.6 ms a frame in copying alone (0.4 s over the stream, measured in Node) and
//   fed the garbage collector a megabyte per frame. Here only the tail (a few kB) is read.

/** A chunk is closed at a newline once it reaches this many characters. */
const CHUNK_TARGET = 1024;
/** With no newline in sight, a chunk is closed at a space after this many characters. The
 *  line break this adds mid-paragraph lasts only while streaming (markdown replaces it). */
const CHUNK_HARD_MAX = 4096;

export interface StreamChunks {
  /** Closed chunks; a chunk keeps its string (same identity) as the text grows. */
  readonly frozen: readonly string[];
  /** The open end of the text, shorter than a chunk can grow. */
  readonly tail: string;
}

export const EMPTY_CHUNKS: StreamChunks = { frozen: [], tail: '' };

/** `chunks` with `delta` appended. Reads only the tail and the delta; earlier chunks keep
 *  their identity, and the frozen list is copied only when a chunk closes. */
export function appendToChunks(chunks: StreamChunks, delta: string): StreamChunks {
  if (delta === '') return chunks;
  let tail = chunks.tail + delta;
  let frozen: string[] | null = null;
  for (let end = closeAt(tail); end !== -1; end = closeAt(tail)) {
    (frozen ??= [...chunks.frozen]).push(tail.slice(0, end));
    tail = tail.slice(end);
  }
  return { frozen: frozen ?? chunks.frozen, tail };
}

/** The whole text again: for a turn that ended with its text still open (stopped, failed). */
export function streamedText(chunks: StreamChunks): string {
  return chunks.frozen.join('') + chunks.tail;
}

/** The chunks of a whole text at once (text restored from a snapshot or a saved progress). */
export function chunksOf(text: string): StreamChunks {
  return appendToChunks(EMPTY_CHUNKS, text);
}

/** End (exclusive) of the chunk at the start of `tail`, or -1 while it should stay open. */
function closeAt(tail: string): number {
  if (tail.length <= CHUNK_TARGET) return -1;
  const newline = tail.indexOf('\n', CHUNK_TARGET);
  if (newline !== -1 && newline < CHUNK_HARD_MAX) return newline + 1;
  if (tail.length <= CHUNK_HARD_MAX) return -1;
  const space = tail.lastIndexOf(' ', CHUNK_HARD_MAX);
  return space > 0 ? space + 1 : CHUNK_HARD_MAX;
}
