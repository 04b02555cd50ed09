// Splits a long markdown text into blocks that render on their own, so a finished 1 MiB answer
// can become markdown a few blocks per frame instead of in one long task (see AssistantText).
// A block ends only at a blank line outside a fenced code block, which is where markdown's own
// top-level blocks end; the cost is that constructs spanning blank lines (a loose list, a
// reference link defined far from its use) may render as separate pieces. So only texts above
// SPLIT_ABOVE_CHARS are split: ordinary answers render exactly as one document.

/** Texts up to this long render as one block. */
export const SPLIT_ABOVE_CHARS = 32_000;
/** Blocks grow to about this size before a new one starts at the next blank line. */
const BLOCK_TARGET_CHARS = 4_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function splitMarkdownBlocks(text: string, target = BLOCK_TARGET_CHARS): string[] {
  if (text.length <= SPLIT_ABOVE_CHARS) return [text];
  const blocks: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const marker = FENCE.exec(line)?.[1];
    if (marker) {
      // A fence closes only with the same character, at least as long (CommonMark).
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    const next = newline === -1 ? text.length : newline + 1;
    if (fence === null && line.trim() === '' && lineStart - start >= target) {
      blocks.push(text.slice(start, next));
      start = next;
    }
    lineStart = next;
  }
  if (start < text.length) blocks.push(text.slice(start));
  return blocks;
}
