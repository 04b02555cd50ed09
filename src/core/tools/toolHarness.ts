// Test helpers for the tools: calls as the model sends them, over a memory workspace, through the
// real tool set (so every test also goes through its guarantees: no rejection, capped output).

import { expect } from 'vitest';
import type { FunctionCallItem } from '../wire.ts';
import { createMemoryWorkspace, type Workspace } from '../workspace.ts';
import type { JsRunner, PreparedToolCall, PrepareResult, ToolContext, ToolRunResult, ToolSet } from './toolContract.ts';
import { createToolSet } from './toolSet.ts';

export const toolSet: ToolSet = createToolSet();

/** A JsRunner for tests that must not reach one. */
export const unusedJsRunner: JsRunner = {
  run: () => Promise.reject(new Error('this test should not run JavaScript')),
};

export function functionCall(name: string, args: unknown): FunctionCallItem {
  return { type: 'function_call', call_id: 'call_1', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

export function contextWith(files: Record<string, string>, jsRunner: JsRunner = unusedJsRunner): ToolContext & { workspace: Workspace } {
  return { workspace: createMemoryWorkspace('w', files), jsRunner };
}

export function prepare(context: ToolContext, name: string, args: unknown, tools: ToolSet = toolSet): Promise<PrepareResult> {
  return tools.prepare(functionCall(name, args), context);
}

/** Prepares a call that must be ready. */
export async function prepared(context: ToolContext, name: string, args: unknown, tools: ToolSet = toolSet): Promise<PreparedToolCall> {
  const result = await prepare(context, name, args, tools);
  if (result.kind !== 'ready') expect.fail(`expected ${name} to be ready, it was rejected: ${result.output}`);
  return result.prepared;
}

/** Prepares and runs a call that must be ready. */
export async function run(context: ToolContext, name: string, args: unknown, tools: ToolSet = toolSet): Promise<ToolRunResult> {
  return (await prepared(context, name, args, tools)).run();
}

/** The output of a call that must be rejected at prepare. */
export async function rejection(context: ToolContext, name: string, args: unknown, tools: ToolSet = toolSet): Promise<string> {
  const result = await prepare(context, name, args, tools);
  if (result.kind !== 'rejected') expect.fail(`expected ${name} to be rejected, it was ready: ${result.prepared.summary}`);
  return result.output;
}

/** Every file's exact text, by path. */
export async function snapshot(workspace: Workspace): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await workspace.list('', 100)) if (entry.kind === 'file') files[entry.path] = await workspace.readText(entry.path);
  return files;
}
