// A file's text as lines that remember their own endings, so a patch changes only the lines it
// names: a CRLF file stays CRLF, a mixed file keeps its mix, a missing final newline stays missing.

export type LineEnding = '\n' | '\r\n';

export interface TextLine {
  /** The line without its ending. */
  text: string;
  /** '' only for a last line without a final newline; null for a line the patch adds, which
   *  takes the file's usual ending when the text is joined. */
  ending: LineEnding | '' | null;
}

export interface TextLines {
  lines: TextLine[];
  /** The ending new lines get: the file's majority ending ('\n' for a file without any). */
  eol: LineEnding;
  /** Whether the last line ends with a line break (true for an empty file, so that lines added
   *  to it end with one, like every added file). */
  finalNewline: boolean;
}

/** Splits on '\n' and '\r\n'. A lone '\r' stays inside its line, as it is not a line break to
 *  any editor this app's users are likely to use, and keeping it there round-trips the bytes. */
export function splitLines(text: string): TextLines {
  const lines: TextLine[] = [];
  let crlf = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    const isCrlf = i > start && text[i - 1] === '\r';
    if (isCrlf) crlf++;
    lines.push({ text: text.slice(start, isCrlf ? i - 1 : i), ending: isCrlf ? '\r\n' : '\n' });
    start = i + 1;
  }
  const finalNewline = start === text.length;
  if (!finalNewline) lines.push({ text: text.slice(start), ending: '' });
  const breaks = lines.length - (finalNewline ? 0 : 1);
  return { lines, eol: crlf > breaks - crlf ? '\r\n' : '\n', finalNewline };
}

/** Joins lines back into text: every line but the last ends with its own ending (or the file's
 *  usual one); the last ends as the original file's last line did. */
export function joinLines({ lines, eol, finalNewline }: TextLines): string {
  let out = '';
  for (const [i, line] of lines.entries()) {
    const last = i === lines.length - 1;
    const ending = line.ending || eol;
    out += line.text + (last && !finalNewline ? '' : ending);
  }
  return out;
}
