// The tools the broker declares to the model, and the one entry point that prepares a call.
// toolSet.prepare guarantees the contract for every tool (toolContract.ts): it never rejects,
// failures are output text, and every output is capped.

import type { FunctionCallItem, FunctionCallOutputItem, FunctionTool } from '../wire.ts';
import { applyPatchTool } from './applyPatchTool.ts';
import { grepTool } from './grep.ts';
import { listFilesTool } from './listFiles.ts';
import { readFileTool } from './readFile.ts';
import { createRunJsTool, RUN_JS_LIMITS, type RunJsLimits } from './runJs.ts';
import { parseToolArguments } from './toolArguments.ts';
import type { PreparedToolCall, PrepareResult, ToolContext, ToolRunResult, ToolSet } from './toolContract.ts';
import type { Tool } from './toolModule.ts';
import { capOutput, errorText, toolFailure } from './toolOutput.ts';
import { writeFileTool } from './writeFile.ts';

export interface ToolSetOptions {
  /** run_js's limits; tests shorten them. */
  runJsLimits?: RunJsLimits;
}

export function createToolSet(options: ToolSetOptions = {}): ToolSet {
  const tools: Tool[] = [listFilesTool, readFileTool, grepTool, writeFileTool, applyPatchTool, createRunJsTool(options.runJsLimits ?? RUN_JS_LIMITS)];
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]));
  return {
    definitions: tools.map((tool) => tool.definition),
    async prepare(call, context) {
      const tool = byName.get(call.name);
      if (!tool) return { kind: 'rejected', output: `Error: unknown tool "${call.name}". Available tools: ${[...byName.keys()].join(', ')}.` };
      let result: PrepareResult;
      try {
        result = await tool.prepare(parseToolArguments(call.arguments), context);
      } catch (error) {
        return { kind: 'rejected', output: capOutput(toolFailure(call.name, errorText(error))) };
      }
      if (result.kind === 'rejected') return { kind: 'rejected', output: capOutput(result.output) };
      return { kind: 'ready', prepared: guarded(call.name, result.prepared) };
    },
  };
}

/** The same call, with a run() that never rejects and whose output is capped. */
function guarded(name: string, prepared: PreparedToolCall): PreparedToolCall {
  return {
    ...prepared,
    async run(): Promise<ToolRunResult> {
      try {
        const result = await prepared.run();
        return { output: capOutput(result.output), changes: result.changes };
      } catch (error) {
        return { output: capOutput(toolFailure(name, errorText(error))), changes: [] };
      }
    },
  };
}

/** The default tool set, for code that only needs the definitions (the worker's settings). */
export const TOOL_DEFINITIONS: FunctionTool[] = createToolSet().definitions;

const defaultToolSet = createToolSet();

/** Prepares and runs one call at once, with no approval step. A bridge for the broker until it
 *  calls prepare and run itself; never rejects. */
export async function runToolCall(call: FunctionCallItem, context: ToolContext, toolSet: ToolSet = defaultToolSet): Promise<FunctionCallOutputItem> {
  const prepared = await toolSet.prepare(call, context);
  const output = prepared.kind === 'rejected' ? prepared.output : (await prepared.prepared.run()).output;
  return { type: 'function_call_output', call_id: call.call_id, output };
}
