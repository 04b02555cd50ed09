// The tools the broker declares to the model, and the one entry point that prepares a call.
// toolSet.prepare guarantees the contract for every tool (toolContract.ts): it never rejects,
// failures are output text, and every output is capped.

import { applyPatchTool } from './applyPatchTool.ts';
import { grepTool } from './grep.ts';
import { listFilesTool } from './listFiles.ts';
import { readFileTool } from './readFile.ts';
import { createRunJsTool, RUN_JS_LIMITS, type RunJsLimits } from './runJs.ts';
import { parseToolArguments } from './toolArguments.ts';
import type { PreparedToolCall, PrepareResult, ToolContext, ToolRunResult, ToolSet } from './toolContract.ts';
import { ready, rejected, type Tool } from './toolModule.ts';
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
      if (!tool) return rejected(`Error: unknown tool "${call.name}". Available tools: ${[...byName.keys()].join(', ')}.`);
      let result: PrepareResult;
      try {
        result = await tool.prepare(parseToolArguments(call.arguments), context);
      } catch (error) {
        return rejected(capOutput(toolFailure(call.name, errorText(error))));
      }
      if (result.kind === 'rejected') return rejected(capOutput(result.output));
      return ready(guarded(call.name, result.prepared));
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
