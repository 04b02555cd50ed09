// The tools the broker declares to the model and runs itself. Every failure becomes the tool's
// output text, so the model hears about it and the turn goes on.
import type { FunctionCallItem, FunctionCallOutputItem, FunctionTool } from './wire.ts';
import type { Workspace } from './workspace.ts';

/** Tool outputs are capped so one call cannot flood the context window. */
export const TOOL_OUTPUT_MAX_CHARS = 32_000;
export const LIST_FILES_MAX_ENTRIES = 500;

export const TOOL_DEFINITIONS: FunctionTool[] = [
  {
    type: 'function',
    name: 'list_files',
    description: 'List files and directories in the workspace. Paths are relative to the workspace root.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Directory to list, relative to the workspace root. Default: the root.' },
        depth: { type: 'integer', minimum: 1, maximum: 10, description: 'How many levels to descend. Default 3.' },
      },
      additionalProperties: false,
    },
  },
  {
    type: 'function',
    name: 'read_file',
    description: 'Read a text file from the workspace. Lines are prefixed with their numbers.',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string', description: 'File path relative to the workspace root.' } },
      required: ['path'],
      additionalProperties: false,
    },
  },
];

type ToolArgs = Record<string, unknown>;

function parseArguments(raw: string): ToolArgs {
  if (raw.trim() === '') return {};
  const parsed: unknown = JSON.parse(raw);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
  return parsed as ToolArgs;
}

function stringArg(args: ToolArgs, name: string, required: boolean): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) {
    if (required) throw new Error(`missing required argument "${name}"`);
    return undefined;
  }
  if (typeof value !== 'string') throw new Error(`argument "${name}" must be a string`);
  return value;
}

export function capOutput(text: string, max = TOOL_OUTPUT_MAX_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[output cut: ${text.length - max} more characters not shown]`;
}

async function listFiles(workspace: Workspace, args: ToolArgs): Promise<string> {
  const path = stringArg(args, 'path', false) ?? '';
  const depthArg = args.depth;
  const depth = typeof depthArg === 'number' && Number.isInteger(depthArg) ? Math.min(10, Math.max(1, depthArg)) : 3;
  const entries = await workspace.list(path, depth);
  if (entries.length === 0) return path ? `"${path}" is empty.` : 'The workspace is empty.';
  const shown = entries.slice(0, LIST_FILES_MAX_ENTRIES).map((e) => (e.kind === 'directory' ? `${e.path}/` : `${e.path}${e.size !== undefined ? ` (${e.size} bytes)` : ''}`));
  if (entries.length > LIST_FILES_MAX_ENTRIES) shown.push(`[list cut: ${entries.length - LIST_FILES_MAX_ENTRIES} more entries]`);
  return shown.join('\n');
}

async function readFile(workspace: Workspace, args: ToolArgs): Promise<string> {
  const path = stringArg(args, 'path', true)!;
  const text = await workspace.readText(path);
  const lines = text.split(/\r?\n/);
  const width = String(lines.length).length;
  return lines.map((line, i) => `${String(i + 1).padStart(width)}\t${line}`).join('\n');
}

const RUNNERS: Record<string, (workspace: Workspace, args: ToolArgs) => Promise<string>> = {
  list_files: listFiles,
  read_file: readFile,
};

/** Runs one function call; never rejects. */
export async function runToolCall(call: FunctionCallItem, workspace: Workspace): Promise<FunctionCallOutputItem> {
  const runner = RUNNERS[call.name];
  let output: string;
  if (!runner) {
    output = `Error: unknown tool "${call.name}". Available tools: ${Object.keys(RUNNERS).join(', ')}.`;
  } else {
    try {
      output = await runner(workspace, parseArguments(call.arguments));
    } catch (error) {
      output = `Error: ${call.name} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return { type: 'function_call_output', call_id: call.call_id, output: capOutput(output) };
}
