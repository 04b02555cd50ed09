// For the offline agent's tests: the browser's side of a turn, in memory. The tools run over
// createMemoryWorkspace with the real patch code (parsePatch → planPatch → applyPlan), and a
// loop plays the broker: it sends the conversation, runs the calls the agent makes, appends
// their outputs and asks again until an answer has no calls. Outputs follow the wording of
// src/core/tools/ and src/core/toolCalls.ts (copied, not imported: those are the browser's, and
// the agent must only rely on what outcome.ts and readOutput.ts read from them).
import { runInNewContext } from 'node:vm';
import { parsePatch } from '../../../src/core/patch/parsePatch.ts';
import { applyPlan, planPatch } from '../../../src/core/patch/applyPatch.ts';
import { splitLines } from '../../../src/core/patch/textLines.ts';
import { userMessage, type FunctionCallItem, type FunctionTool, type Item } from '../../../src/core/wire.ts';
import type { Workspace } from '../../../src/core/workspace.ts';
import { offlineReply, type AgentReply, type OfflineReplyOptions } from '../offlineAgent.ts';

export const ALL_TOOL_NAMES = ['list_files', 'read_file', 'grep', 'apply_patch', 'write_file', 'run_js'] as const;

export function declaredTools(names: readonly string[] = ALL_TOOL_NAMES): FunctionTool[] {
  return names.map((name) => ({ type: 'function', name, description: name, parameters: { type: 'object' } }));
}

export interface FakeToolOptions {
  /** Whether the user approves a write or run_js call; default: always. */
  approve?: (call: FunctionCallItem) => boolean;
  /** read_file shows at most this many lines, then a note (as the real tool caps output). */
  readLimit?: number;
}

export const deniedOutput = (tool: string): string =>
  `The user denied this ${tool} call: nothing was run or changed. Ask the user what they want instead, or go on without it.`;

/** read_file's output: numbered lines (a final newline is no extra line), or a note. */
export function readFileOutput(path: string, text: string, limit = Number.POSITIVE_INFINITY): string {
  const lines = splitLines(text).lines;
  if (lines.length === 0) return `"${path}" is empty.`;
  const end = Math.min(lines.length, limit);
  const width = String(end).length;
  const shown = lines.slice(0, end).map((line, i) => `${String(i + 1).padStart(width)}\t${line.text}`);
  if (end < lines.length) {
    shown.push(`[${lines.length - end} more lines (lines ${end + 1}–${lines.length}) not shown: the limit of ${limit} lines was reached; call read_file with offset ${end + 1} to read on]`);
  }
  return shown.join('\n');
}

export async function runFakeTool(call: FunctionCallItem, workspace: Workspace, options: FakeToolOptions = {}): Promise<string> {
  const args = JSON.parse(call.arguments) as Record<string, unknown>;
  try {
    switch (call.name) {
      case 'list_files': {
        const entries = await workspace.list(String(args.path ?? ''), Number(args.depth ?? 3));
        return entries.length === 0 ? 'The workspace is empty.' : entries.map((e) => (e.kind === 'directory' ? `${e.path}/` : e.path)).join('\n');
      }
      case 'read_file':
        return readFileOutput(String(args.path), await workspace.readText(String(args.path)), options.readLimit);
      case 'grep': {
        const pattern = new RegExp(String(args.pattern));
        const files = (await workspace.list(String(args.path ?? ''), 10)).filter((e) => e.kind === 'file');
        const hits: string[] = [];
        for (const file of files) {
          if (typeof args.glob === 'string' && !file.path.endsWith(args.glob.replace(/^\*+/, ''))) continue;
          (await workspace.readText(file.path)).split('\n').forEach((line, i) => {
            if (pattern.test(line)) hits.push(`${file.path}:${i + 1}:${line}`);
          });
        }
        return hits.length === 0 ? 'No matches.' : hits.join('\n');
      }
      case 'apply_patch': {
        const plan = await planPatch(parsePatch(String(args.patch)), workspace);
        if (options.approve && !options.approve(call)) return deniedOutput(call.name);
        const result = await applyPlan(plan, workspace);
        return result.status === 'applied' ? `Applied the patch:\n${result.summary}` : `Error: apply_patch failed: ${result.message}`;
      }
      case 'write_file': {
        if (options.approve && !options.approve(call)) return deniedOutput(call.name);
        const existed = (await workspace.exists(String(args.path))) === 'file';
        await workspace.writeText(String(args.path), String(args.content));
        return `${existed ? 'Updated' : 'Created'} ${String(args.path)}.`;
      }
      case 'run_js': {
        if (options.approve && !options.approve(call)) return deniedOutput(call.name);
        const logged: string[] = [];
        const consoleOutput = () => (logged.length > 0 ? `Console output:\n${logged.join('\n')}` : 'No console output.');
        try {
          const result: unknown = runInNewContext(String(args.code), { console: { log: (...values: unknown[]) => logged.push(values.join(' ')) } }, { timeout: 1000 });
          return `${consoleOutput()}\nResult: ${String(result)}`;
        } catch (error) {
          return `${consoleOutput()}\nError: ${String(error)}`;
        }
      }
      default:
        return `Error: unknown tool "${call.name}"`;
    }
  } catch (error) {
    return `Error: ${call.name} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export interface LoopResult {
  /** Each response the agent gave, in order. */
  replies: AgentReply[];
  conversation: Item[];
  /** The last reply's text. */
  answer: string;
}

/** One logical turn, as the broker runs it: request → calls → outputs → request … → an answer. */
export async function runTurn(
  request: string,
  workspace: Workspace,
  options: FakeToolOptions & OfflineReplyOptions & { tools?: readonly string[]; history?: Item[]; maxResponses?: number } = {},
): Promise<LoopResult> {
  const conversation: Item[] = [...(options.history ?? []), userMessage(request)];
  const tools = declaredTools(options.tools);
  const replies: AgentReply[] = [];
  let callCount = 0;
  for (let response = 0; response < (options.maxResponses ?? 20); response++) {
    const reply = offlineReply(conversation, tools, options);
    replies.push(reply);
    if (reply.text !== '') conversation.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply.text }] });
    if (reply.toolCalls.length === 0) return { replies, conversation, answer: reply.text };
    const calls: FunctionCallItem[] = reply.toolCalls.map((call) => ({ type: 'function_call', call_id: `call_${++callCount}`, name: call.name, arguments: call.arguments }));
    conversation.push(...calls);
    for (const call of calls) conversation.push({ type: 'function_call_output', call_id: call.call_id, output: await runFakeTool(call, workspace, options) });
  }
  throw new Error('the agent did not finish its turn');
}
