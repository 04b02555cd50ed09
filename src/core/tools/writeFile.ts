// write_file: creates a file or replaces its whole content. prepare reads the current content
// and works out the exact change and its diff; run writes it, unless the file changed meanwhile
// (a write may wait minutes for approval, and must not overwrite what someone did since).

import { splitLines } from '../patch/textLines.ts';
import { unifiedDiff, type DiffLine } from '../patch/unifiedDiff.ts';
import type { Workspace } from '../workspace.ts';
import { diffLines } from './lineDiff.ts';
import { errorText, plural, toolFailure } from './toolOutput.ts';
import { refuseUnknownArguments, requiredString, ToolArgumentError, workspacePathArgument } from './toolArguments.ts';
import type { FileChange } from './toolContract.ts';
import { readCall, ready, type Tool } from './toolModule.ts';

export const writeFileTool: Tool = {
  definition: {
    type: 'function',
    name: 'write_file',
    description:
      'Create a file, or replace the whole content of an existing one, in the workspace; missing parent directories are created. ' +
      'To change part of an existing file prefer apply_patch, which sends only the changed lines. ' +
      "An existing file's CRLF line endings are kept when the new content uses plain LF.",
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File path relative to the workspace root.' },
        content: { type: 'string', description: 'The complete new content of the file.' },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
  },

  async prepare(args, { workspace }) {
    refuseUnknownArguments(args, ['path', 'content']);
    const path = workspacePathArgument(requiredString(args, 'path'));
    const content = requiredString(args, 'content');
    if (path === '') throw new ToolArgumentError('argument "path" names the workspace root, not a file');

    const before = await currentContent(workspace, path);
    const after = before === null ? content : keepLineEndings(before, content);
    if (before === after) {
      // Nothing to write, so nothing to approve.
      return readCall(`write_file: ${path} (unchanged)`, '', async () => `"${path}" already has exactly this content; nothing was written.`);
    }
    const change = fileChange(path, before, after);
    const { added, removed } = countChanges(change.lines);
    const counts = before === null ? plural(added, 'line') : `+${added} −${removed}`;
    return ready({
      access: 'write',
      summary: `write_file: ${before === null ? 'create' : 'update'} ${path} (${counts})`,
      detail: change.fileChange.diff,
      run: async () => {
        let now: string | null;
        try {
          now = await currentContent(workspace, path);
        } catch (error) {
          return { output: toolFailure('write_file', `could not check "${path}" before writing, nothing was written: ${errorText(error)}`), changes: [] };
        }
        if (now !== before) {
          const what = before === null ? 'was created' : now === null ? 'was removed' : 'changed';
          return { output: toolFailure('write_file', `"${path}" ${what} after this write was prepared, so nothing was written; read it again and redo the change`), changes: [] };
        }
        await workspace.writeText(path, after);
        return { output: `${before === null ? 'Created' : 'Updated'} ${path} (${counts}).`, changes: [change.fileChange] };
      },
    });
  },
};

/** The file's text; null when there is none yet. Refuses a directory, or a parent that is a file. */
async function currentContent(workspace: Workspace, path: string): Promise<string | null> {
  const kind = await workspace.exists(path);
  if (kind === 'directory') throw new ToolArgumentError(`"${path}" is a directory`);
  if (kind === 'file') return workspace.readText(path);
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if ((await workspace.exists(parent)) === 'file') throw new ToolArgumentError(`cannot create "${path}": "${parent}" is a file`);
  }
  return null;
}

/** Models write "\n"; a CRLF file rewritten by one should stay CRLF, as apply_patch keeps it.
 *  Content that has any "\r" is taken as meant. */
function keepLineEndings(before: string, content: string): string {
  if (content.includes('\r') || splitLines(before).eol !== '\r\n') return content;
  return content.replace(/\n/g, '\r\n');
}

/** The FileChange, with the edit script it was drawn from. */
export function fileChange(path: string, before: string | null, after: string): { fileChange: FileChange; lines: DiffLine[] } {
  const newSide = splitLines(after);
  if (before === null) {
    const lines = newSide.lines.map(({ text }): DiffLine => ({ kind: 'add', text }));
    return { fileChange: { path, kind: 'add', before: null, after, diff: unifiedDiff(null, { path, finalNewline: newSide.finalNewline }, lines) }, lines };
  }
  const oldSide = splitLines(before);
  const lines = diffLines(
    oldSide.lines.map((l) => l.text),
    newSide.lines.map((l) => l.text),
  );
  let diff = unifiedDiff({ path, finalNewline: oldSide.finalNewline }, { path, finalNewline: newSide.finalNewline }, lines);
  // Lines compare without their endings, so a change of endings alone shows no hunk: say so.
  if (!lines.some((l) => l.kind !== 'equal') && oldSide.finalNewline === newSide.finalNewline) diff += '(only the line endings change)\n';
  return { fileChange: { path, kind: 'update', before, after, diff }, lines };
}

function countChanges(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === 'add') added++;
    else if (line.kind === 'remove') removed++;
  }
  return { added, removed };
}
