// What every tool's output has in common: one size cap, one way to say a call failed.

/** Tool outputs are capped so one call cannot flood the model's context window. */
export const TOOL_OUTPUT_MAX_CHARS = 32_000;

/** Cuts `text` to `max` characters and says how much was left out. Never splits a surrogate
 *  pair, so the cut text stays valid UTF-16 (the wire encodes it as UTF-8). */
export function capOutput(text: string, max = TOOL_OUTPUT_MAX_CHARS): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}\n[output cut: ${text.length - end} more characters not shown]`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The text the model reads when a call fails: one prefix for every tool, so it is recognisable. */
export function toolFailure(toolName: string, message: string): string {
  return `Error: ${toolName} failed: ${message}`;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Cuts one line (a match, a file line) to `max` characters, saying how many were left out. */
export function cutLine(line: string, max: number): string {
  if (line.length <= max) return line;
  const end = isHighSurrogate(line.charCodeAt(max - 1)) ? max - 1 : max;
  return `${line.slice(0, end)}… [line cut: ${line.length - end} more characters]`;
}

/** As in git, a NUL in the first 8,000 characters marks a file as binary. */
const BINARY_SNIFF_CHARS = 8000;

/** Whether a file's text is really binary data (tools read and search text files only). */
export function looksBinary(text: string): boolean {
  return text.slice(0, BINARY_SNIFF_CHARS).includes('\0');
}

/** "1 file", "2 files". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
