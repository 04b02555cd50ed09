// read_file: a text file's lines, numbered, a window at a time, so a large file can be read in
// pieces and every line can be cited by number.

import { splitLines } from '../patch/textLines.ts';
import { cutLine, looksBinary, plural, TOOL_OUTPUT_MAX_CHARS } from './toolOutput.ts';
import { optionalInteger, refuseUnknownArguments, requiredString, ToolArgumentError, workspacePathArgument } from './toolArguments.ts';
import { readCall, type Tool } from './toolModule.ts';

/** Lines shown when the model gives no limit, and the most one call shows: enough for most
 *  source files whole, and about what fits in the output cap at typical line lengths. */
export const READ_FILE_DEFAULT_LIMIT = 2000;
/** Longer lines (minified code, data) are cut: one of them could otherwise fill the output. */
export const READ_FILE_MAX_LINE_CHARS = 2000;
/** Room kept under the output cap for the closing note, so the note itself is never cut. */
const NOTE_RESERVE_CHARS = 200;

export const readFileTool: Tool = {
  definition: {
    type: 'function',
    name: 'read_file',
    description:
      'Read a text file from the workspace. Each line is prefixed with its 1-based number and a tab. ' +
      `Shows up to ${READ_FILE_DEFAULT_LIMIT} lines from "offset"; a note at the end says where to continue when lines remain. ` +
      `Lines longer than ${READ_FILE_MAX_LINE_CHARS} characters are cut.`,
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File path relative to the workspace root.' },
        offset: { type: 'integer', minimum: 1, description: 'Line number to start at (1-based). Default 1.' },
        limit: { type: 'integer', minimum: 1, maximum: READ_FILE_DEFAULT_LIMIT, description: `How many lines to show. Default and maximum ${READ_FILE_DEFAULT_LIMIT}.` },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },

  async prepare(args, { workspace }) {
    refuseUnknownArguments(args, ['path', 'offset', 'limit']);
    const path = workspacePathArgument(requiredString(args, 'path'));
    if (path === '') throw new ToolArgumentError('argument "path" names the workspace root, not a file');
    const offset = optionalInteger(args, 'offset', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? 1;
    const limit = optionalInteger(args, 'limit', { min: 1, max: READ_FILE_DEFAULT_LIMIT }) ?? READ_FILE_DEFAULT_LIMIT;
    const range = offset === 1 && limit === READ_FILE_DEFAULT_LIMIT ? '' : ` from line ${offset}`;
    return readCall(`read_file: ${path}${range}`, path, async () => numberedLines(path, await workspace.readText(path), offset, limit));
  },
};

/** The window [offset, offset + limit) of the file's lines, numbered, with a note on what is left. */
export function numberedLines(path: string, text: string, offset: number, limit: number): string {
  if (looksBinary(text)) return `"${path}" looks like a binary file (it contains NUL characters); read_file shows text files only.`;
  // CRLF and LF alike: the ending is not part of the line, and a final newline ends the last
  // line rather than starting an empty one.
  const lines = splitLines(text).lines;
  if (lines.length === 0) return `"${path}" is empty.`;
  if (offset > lines.length) return `"${path}" has ${lines.length} lines; offset ${offset} is past its end.`;

  const end = Math.min(lines.length, offset - 1 + limit);
  const width = String(end).length;
  const budget = TOOL_OUTPUT_MAX_CHARS - NOTE_RESERVE_CHARS;
  const out: string[] = [];
  let size = 0;
  let next = offset; // 1-based number of the first line not shown
  for (; next <= end; next++) {
    const line = `${String(next).padStart(width)}\t${cutLine(lines[next - 1]!.text, READ_FILE_MAX_LINE_CHARS)}`;
    if (out.length > 0 && size + line.length + 1 > budget) break;
    out.push(line);
    size += line.length + 1;
  }
  const remaining = lines.length - (next - 1);
  if (remaining > 0) {
    const why = next <= end ? 'the output limit was reached' : `the limit of ${plural(limit, 'line')} was reached`;
    out.push(`[${remaining} more line${remaining === 1 ? '' : 's'} (lines ${next}–${lines.length}) not shown: ${why}; call read_file with offset ${next} to read on]`);
  }
  return out.join('\n');
}
