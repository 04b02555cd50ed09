// Small Markdown helpers for the offline agent's replies. Tool outputs and user text are quoted
// verbatim, so every helper makes sure that text cannot break out of its block.

/** A fenced block whose fence is longer than any backtick run inside, so outputs cannot break out. */
export function codeBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Inline code that survives backticks in `text` (CommonMark: a longer delimiter, padded by spaces). */
export function inlineCode(text: string): string {
  const run = longestBacktickRun(text);
  if (run === 0) return `\`${text}\``;
  const fence = '`'.repeat(run + 1);
  return `${fence} ${text} ${fence}`;
}

export function quote(text: string): string {
  return text.split('\n').map((line) => `> ${line}`).join('\n');
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
