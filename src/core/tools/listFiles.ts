// list_files: the workspace's tree, so the model can find its way before it reads.

import { optionalInteger, optionalString, refuseUnknownArguments, workspacePathArgument } from './toolArguments.ts';
import { readCall, type Tool } from './toolModule.ts';

/** Most entries listed: a tree bigger than this is better narrowed with `path` than read whole. */
export const LIST_FILES_MAX_ENTRIES = 500;
/** Levels listed when the model does not say: enough to see a project's layout. */
export const LIST_FILES_DEFAULT_DEPTH = 3;
/** Deepest listing allowed; deeper requests are clamped to it. */
export const LIST_FILES_MAX_DEPTH = 10;

export const listFilesTool: Tool = {
  definition: {
    type: 'function',
    name: 'list_files',
    description:
      'List files and directories in the workspace, depth-first and sorted, directories marked with a trailing "/" and files with their size in bytes. ' +
      `Paths are relative to the workspace root. At most ${LIST_FILES_MAX_ENTRIES} entries are shown; list a subdirectory to see more of a large tree.`,
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Directory to list, relative to the workspace root. Default: the root.' },
        depth: { type: 'integer', minimum: 1, maximum: LIST_FILES_MAX_DEPTH, description: `How many levels to descend (1 = direct children only). Default ${LIST_FILES_DEFAULT_DEPTH}.` },
      },
      additionalProperties: false,
    },
  },

  async prepare(args, { workspace }) {
    refuseUnknownArguments(args, ['path', 'depth']);
    const path = workspacePathArgument(optionalString(args, 'path') ?? '');
    const depth = optionalInteger(args, 'depth', { min: 1, max: LIST_FILES_MAX_DEPTH }) ?? LIST_FILES_DEFAULT_DEPTH;
    return readCall(`list_files: ${path || '(workspace root)'}, depth ${depth}`, path, async () => {
      const entries = await workspace.list(path, depth);
      if (entries.length === 0) return path ? `"${path}" is empty.` : 'The workspace is empty.';
      const shown = entries
        .slice(0, LIST_FILES_MAX_ENTRIES)
        .map((e) => (e.kind === 'directory' ? `${e.path}/` : `${e.path}${e.size !== undefined ? ` (${e.size} bytes)` : ''}`));
      if (entries.length > LIST_FILES_MAX_ENTRIES) {
        shown.push(`[list cut: ${entries.length - LIST_FILES_MAX_ENTRIES} more entries; list a subdirectory or use a smaller depth]`);
      }
      return shown.join('\n');
    });
  },
};
