import { describe, expect, it } from 'vitest';
import { appendToChunks, chunksOf, EMPTY_CHUNKS, streamedText as whole } from './streamChunks.ts';

describe('appendToChunks', () => {
  it('keeps short text open', () => {
    const chunks = appendToChunks(EMPTY_CHUNKS, 'hello\nworld');
    expect(chunks).toEqual({ frozen: [], tail: 'hello\nworld' });
    expect(appendToChunks(chunks, '')).toBe(chunks);
  });

  it('closes chunks at newlines and never loses or repeats text while deltas arrive', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`).join('');
    let chunks = EMPTY_CHUNKS;
    for (let n = 0; n < lines.length; n += 37) {
      const next = appendToChunks(chunks, lines.slice(n, n + 37));
      // Earlier chunks keep their identity.
      chunks.frozen.forEach((c, i) => expect(next.frozen[i]).toBe(c));
      chunks = next;
      expect(whole(chunks)).toBe(lines.slice(0, n + 37));
    }
    expect(chunks.frozen.length).toBeGreaterThan(5);
    for (const chunk of chunks.frozen) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.tail.length).toBeLessThanOrEqual(4096);
  });

  it('closes at a space when a paragraph has no newline, also within one large delta', () => {
    const text = 'word '.repeat(3000);
    const chunks = chunksOf(text);
    expect(chunks.frozen.length).toBeGreaterThan(2);
    for (const chunk of chunks.frozen) {
      expect(chunk.length).toBeLessThanOrEqual(4097);
      expect(chunk.endsWith(' ')).toBe(true);
    }
    expect(whole(chunks)).toBe(text);
  });

  it('cuts text with no newline and no space at the hard maximum', () => {
    const text = 'x'.repeat(10_000);
    const chunks = chunksOf(text);
    expect(chunks.frozen.map((c) => c.length)).toEqual([4096, 4096]);
    expect(whole(chunks)).toBe(text);
  });
});
