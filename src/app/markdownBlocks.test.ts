import { describe, expect, it } from 'vitest';
import { splitMarkdownBlocks, SPLIT_ABOVE_CHARS } from './markdownBlocks.ts';

describe('splitMarkdownBlocks', () => {
  it('keeps ordinary answers whole', () => {
    const text = 'para one\n\npara two\n\n```\ncode\n\nmore\n```\n';
    expect(splitMarkdownBlocks(text)).toEqual([text]);
  });

  it('splits a long text at blank lines, losing and duplicating nothing', () => {
    const paragraph = `${'word '.repeat(200)}\n\n`;
    const text = paragraph.repeat(Math.ceil((SPLIT_ABOVE_CHARS * 2) / paragraph.length));
    const blocks = splitMarkdownBlocks(text, 4000);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.join('')).toBe(text);
    for (const block of blocks.slice(0, -1)) expect(block.endsWith('\n\n')).toBe(true);
  });

  it('never splits inside a fenced code block, even across blank lines', () => {
    const code = '```js\n' + 'const x = 1;\n\n'.repeat(4000) + '```\n';
    const text = `intro\n\n${code}\nafter\n\n${'tail '.repeat(10000)}`;
    const blocks = splitMarkdownBlocks(text, 100);
    expect(blocks.join('')).toBe(text);
    const withFence = blocks.find((b) => b.includes('```js'))!;
    expect(withFence).toContain(code);
  });

  it('a fence closes only with the same character and at least its length', () => {
    const inner = '````\n' + 'a\n\n'.repeat(100) + '```\nstill code\n\n~~~~\n\nstill\n\n````\n';
    const text = inner + '\n' + 'x '.repeat(SPLIT_ABOVE_CHARS);
    const blocks = splitMarkdownBlocks(text, 10);
    expect(blocks[0]).toContain(inner);
  });
});
