// Builds apply_patch text in the Codex format that src/core/patch/parsePatch.ts accepts:
//   *** Begin Patch / *** Add File: p (+lines) / *** Delete File: p /
//   *** Update File: p [*** Move to: q] [@@ hunks of ' ', '-', '+' lines [*** End of File]] / *** End Patch
import type { ProjectFile } from './demoProject.ts';

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';

/** The end of a file as read: the hunk's context. */
export interface FileTail {
  /** The file's last lines (at most a few), without line endings. */
  lines: string[];
  /** The lines are the very end of the file, so the hunk may say "*** End of File". */
  atEnd: boolean;
}

export function addFilesPatch(files: readonly ProjectFile[]): string {
  const operations = files.flatMap((file) => [`*** Add File: ${file.path}`, ...contentLines(file.content).map((line) => `+${line}`)]);
  return patch(operations);
}

export function deleteFilePatch(path: string): string {
  return patch([`*** Delete File: ${path}`]);
}

/** A move with no hunks: the parser accepts "Update File" + "Move to" alone, the content stays. */
export function moveFilePatch(from: string, to: string): string {
  return patch([`*** Update File: ${from}`, `*** Move to: ${to}`]);
}

/**
 * Appends `text` (one or more lines) after the file's last lines. With no tail (the file was not
 * read, or the read was cut) the hunk has only '+' lines, which the patch applier puts at the
 * end of the file; with a tail the patch proves the agent read the real content, and fails
 * loudly if the file changed since.
 */
export function appendLinesPatch(path: string, text: string, tail: FileTail | null): string {
  const added = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').map((line) => `+${line}`);
  const context = tail?.lines.map((line) => ` ${line}`) ?? [];
  const endOfFile = tail?.atEnd && tail.lines.length > 0 ? ['*** End of File'] : [];
  return patch([`*** Update File: ${path}`, '@@', ...context, ...added, ...endOfFile]);
}

function patch(operations: string[]): string {
  return [BEGIN, ...operations, END, ''].join('\n');
}

/** A file's lines for '+' prefixes: an added file gets a final newline, so the last empty piece is not a line. */
function contentLines(content: string): string[] {
  const lines = content.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
