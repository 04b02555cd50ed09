// The shape every tool module has, and the small constructors they share. toolSet.ts wraps each
// tool so that neither step rejects and every output is capped: tools may simply throw.

import type { FunctionTool } from '../wire.ts';
import type { ToolArgs } from './toolArguments.ts';
import type { PrepareResult, PreparedToolCall, ToolContext, ToolRunResult } from './toolContract.ts';

export interface Tool {
  /** What the model is told about the tool (name, description, JSON schema). */
  definition: FunctionTool;
  /** Reads only. May throw (a ToolArgumentError, a storage error): toolSet.ts turns that into a
   *  `rejected` output. */
  prepare(args: ToolArgs, context: ToolContext): Promise<PrepareResult>;
}

/** A call that only reads: it runs at once, and its run() produces the output then. */
export function readCall(summary: string, detail: string, run: () => Promise<string>): PrepareResult {
  return ready({ access: 'read', summary, detail, run: async (): Promise<ToolRunResult> => ({ output: await run(), changes: [] }) });
}

export function ready(prepared: PreparedToolCall): PrepareResult {
  return { kind: 'ready', prepared };
}

export function rejected(output: string): PrepareResult {
  return { kind: 'rejected', output };
}
