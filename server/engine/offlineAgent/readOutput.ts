// Recovers a file's lines from what read_file returned, so a patch can quote them as context.
// read_file (src/core/tools/readFile.ts) numbers its lines ("   12\tcode"), says `"p" is empty.`
// for an empty file, ends with a note ("[3 more lines … not shown …]") when it showed only part,
// and cuts very long lines ("… [line cut: n more characters]"). Anything the agent cannot read
// for certain counts as incomplete, and the patch then goes without context rather than wrong.
import type { FileTail } from './patches.ts';

/** How many of the file's last lines a hunk quotes as context. */
const TAIL_CONTEXT_LINES = 3;
/** Without "*** End of File" the hunk goes where its context first matches: more context makes
 *  an earlier, accidental match unlikely. */
const UNANCHORED_CONTEXT_LINES = 6;
const NUMBERED_LINE = /^ *(\d+)\t(.*)$/;
const EMPTY_FILE = /^"[^\n]*" is empty\.$/;
const CUT_LINE = /… \[line cut: \d+ more characters?\]$/;

export interface ReadFile {
  lines: string[];
  /** False when read_file said it showed only part of the file, or numbering was interrupted. */
  complete: boolean;
}

export function fileFromReadOutput(output: string): ReadFile {
  const raw = output.replace(/\r\n/g, '\n').split('\n');
  const numbered = raw.map((line) => NUMBERED_LINE.exec(line));
  const first = numbered.findIndex((match) => match !== null);
  if (first === -1) return EMPTY_FILE.test(output.trim()) ? { lines: [], complete: true } : { lines: [], complete: false };

  const lines: string[] = [];
  let expected = Number(numbered[first]![1]);
  let end = first;
  for (; end < raw.length; end++) {
    const match = numbered[end];
    if (!match || Number(match[1]) !== expected) break;
    lines.push(match[2]!);
    expected++;
  }
  // Anything but blank lines after the numbered run is a note ("[output cut …]"): the file goes on.
  const trailingNote = raw.slice(end).some((line) => line.trim() !== '');
  const fromStart = Number(numbered[first]![1]) === 1;
  return { lines, complete: fromStart && !trailingNote };
}

/**
 * The context for appending after the file's end: its last few lines. Trailing blank lines are
 * left out: whether a final newline shows as an empty last line differs between read_file
 * versions, and a hunk that names a blank line the file does not have would fail; without them
 * the hunk cannot claim "*** End of File", so it goes right after the last text (where its
 * context first matches: a file whose last lines also occur earlier, and that ends with blank
 * lines, can get the line at the earlier place). null: no usable context (an empty file, a read
 * that was cut, a cut line), so the hunk goes without.
 */
export function tailContext(file: ReadFile): FileTail | null {
  if (!file.complete) return null;
  let end = file.lines.length;
  while (end > 0 && file.lines[end - 1]!.trim() === '') end--;
  if (end === 0) return null;
  const atEnd = end === file.lines.length;
  const lines = file.lines.slice(Math.max(0, end - (atEnd ? TAIL_CONTEXT_LINES : UNANCHORED_CONTEXT_LINES)), end);
  if (lines.some((line) => CUT_LINE.test(line))) return null;
  return { lines, atEnd };
}
