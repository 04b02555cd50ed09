// The tools the offline agent knows how to call (src/core/tools/ implements them in the browser).
// The agent calls a tool only when the request declared it.

export const LIST_FILES_TOOL = 'list_files';
export const READ_FILE_TOOL = 'read_file';
export const GREP_TOOL = 'grep';
export const APPLY_PATCH_TOOL = 'apply_patch';
export const WRITE_FILE_TOOL = 'write_file';
export const RUN_JS_TOOL = 'run_js';

/** What a call may do: the same split as the broker's approval policy (toolContract.ts). */
export type CallAccess = 'read' | 'write' | 'execute';

export const TOOL_ACCESS: Readonly<Record<string, CallAccess>> = {
  [LIST_FILES_TOOL]: 'read',
  [READ_FILE_TOOL]: 'read',
  [GREP_TOOL]: 'read',
  [APPLY_PATCH_TOOL]: 'write',
  [WRITE_FILE_TOOL]: 'write',
  [RUN_JS_TOOL]: 'execute',
};
