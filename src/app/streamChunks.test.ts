import { describe, expect, it } from 'vitest';
import { EMPTY_CHUNKS, extendChunks } from './streamChunks.ts';

describe('extendChunks', () => {
  it('keeps short text open', () => {
    expect(extendChunks(EMPTY_CHUNKS, 'hello\nworld')).toBe(EMPTY_CHUNKS);
  });

  it('closes chunks at newlines and never loses or repeats text while the text grows', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`).join('');
    let chunks = EMPTY_CHUNKS;
    const seen: string[] = [];
    for (let n = 0; n <= lines.length; n += 37) {
      const text = lines.slice(0, n);
      const next = extendChunks(chunks, text);
      // Earlier chunks keep their identity.
      chunks.frozen.forEach((c, i) => expect(next.frozen[i]).toBe(c));
      chunks = next;
      expect(chunks.frozen.join('') + text.slice(chunks.frozenLength)).toBe(text);
      seen.push(...chunks.frozen.slice(seen.length));
    }
    expect(chunks.frozen.length).toBeGreaterThan(5);
    for (const chunk of chunks.frozen) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('closes at a space when a paragraph has no newline', () => {
    const text = 'word '.repeat(3000);
    const chunks = extendChunks(EMPTY_CHUNKS, text);
    expect(chunks.frozen.length).toBeGreaterThan(2);
    for (const chunk of chunks.frozen) {
      expect(chunk.length).toBeLessThanOrEqual(4097);
      expect(chunk.endsWith(' ')).toBe(true);
    }
    expect(chunks.frozen.join('') + text.slice(chunks.frozenLength)).toBe(text);
  });

  it('starts over when the text shrank (a different stream)', () => {
    const long = extendChunks(EMPTY_CHUNKS, 'a\n'.repeat(2000));
    expect(extendChunks(long, 'short')).toEqual(EMPTY_CHUNKS);
  });
});
