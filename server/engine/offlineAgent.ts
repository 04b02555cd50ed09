// The embedded engine's "model": a small rule-based agent. It is pure (conversation and declared
// tools in, one response's text and tool calls out) so the whole app — streaming, tool calls,
// approvals, tool results, multi-step turns, compaction — works end to end without an API key,
// and so its answers are predictable in tests. It never pretends to think: every answer says it
// is Switchboard's offline engine, and the help answer says how to connect a real model.
//
// Phrases it understands (the same list is in its help answer, offlineAgent/reports.ts):
//   list files [in <dir>] · ls · "what files are there?"        → list_files {path}
//   read|open|cat|view|show me <path>                           → read_file {path}
//   grep|search [for]|find|look for <pattern> [in <path|glob>]  → grep {pattern, path? | glob?}
//   create|make|build|scaffold … project|app|site …, scaffold <name>
//       → one apply_patch adding a small JS project (README.md, package.json, index.html,
//         src/main.js, src/sum.js, test/sum.test.js) in the folder the request names
//         ("called x", "in folder x", "scaffold x", "a todo app" → todo-app/) or demo-project/;
//         write_file per file when apply_patch is not declared. The report says applied /
//         denied / failed with the tool's output, then suggests next steps.
//   write|save <path>: <content>  (the rest of the line; or, when the colon ends the line, the
//       fenced block below it or every line after it) · write <path> + a fenced block
//       · write <path> with <content>                           → write_file {path, content}
//       (an Add File patch when write_file is not declared)
//   run `<code>` · run js <code> · run [this:] + a fenced block  → run_js {code}
//   delete|remove <path>                                        → apply_patch (Delete File)
//   rename|move <a> to <b> · move <a> into <dir>                → apply_patch (Update File + Move to)
//   add|append [a line] "<text>" to <path>
//       → read_file, then (next response, same turn) apply_patch with a hunk quoting the file's
//         last lines as read and adding the text after them (*** End of File); a hunk without
//         context when read_file is not declared or showed only part of the file
// Several asks in one message (one per line, or joined by "and <verb>", "then", ";") become
// several calls; independent ones share a response unless the request says
// parallel_tool_calls:false. A read waits for an earlier write it could see; two writes share a
// response only when they touch different paths. Calls go only to tools the request declared;
// otherwise the answer says which tool was missing. A turn's progress is read back from the
// conversation (offlineAgent/intentPlan.ts), so nothing is remembered between requests. The
// summary a compaction leaves (offlineAgent/compaction.ts) is never taken for a request: after a
// mid-turn compaction the agent reports what came back and ends the turn rather than redo work.
import type { FunctionTool, Item } from '../../src/core/wire.ts';
import { resolveWorkspacePath } from '../../src/core/workspace.ts';
import { currentTurn } from './offlineAgent/conversation.ts';
import { planIntent, type IntentPlan, type PlannedCall } from './offlineAgent/intentPlan.ts';
import { parseIntents } from './offlineAgent/intents.ts';
import { helpAnswer, turnReport } from './offlineAgent/reports.ts';

export { compactConversation } from './offlineAgent/compaction.ts';

export interface AgentToolCall {
  name: string;
  /** JSON text, as it travels in `function_call.arguments`. */
  arguments: string;
}

/** What the agent wants to say and do in one response; either part may be empty. */
export interface AgentReply {
  text: string;
  toolCalls: AgentToolCall[];
}

export interface OfflineReplyOptions {
  /** The request's `parallel_tool_calls`; false: at most one call per response. Default true. */
  parallelToolCalls?: boolean;
}

/** A turn stops calling tools after this many calls, whatever was asked: a runaway guard. */
export const MAX_CALLS_PER_TURN = 32;

export function offlineReply(conversation: readonly Item[], tools: readonly FunctionTool[] = [], options: OfflineReplyOptions = {}): AgentReply {
  const declared = new Set(tools.filter((tool) => tool.type === 'function').map((tool) => tool.name));
  const turn = currentTurn(conversation);
  const plans = parseIntents(turn.request).map((intent) => planIntent(intent, declared, turn));

  // Calls someone else made (a scripted response, a model used before) are reported, not continued.
  const ownTurn = turn.calls.length === 0 || plans.some((plan) => plan.made.length > 0);
  const belowLimit = turn.calls.length < MAX_CALLS_PER_TURN;
  if (ownTurn && belowLimit) {
    const batch = nextBatch(plans, options.parallelToolCalls !== false, MAX_CALLS_PER_TURN - turn.calls.length);
    if (batch.length > 0) return { text: prefaces(plans, batch), toolCalls: batch.map(({ name, arguments: args }) => ({ name, arguments: args })) };
  }
  if (turn.calls.length === 0 && turn.orphanOutputs.length === 0) return { text: helpAnswer(turn.request, plans, declared), toolCalls: [] };
  const stoppedEarly = !belowLimit && plans.some((plan) => plan.pending.length > 0);
  return { text: turnReport(turn, plans, declared, stoppedEarly ? MAX_CALLS_PER_TURN : undefined), toolCalls: [] };
}

/**
 * The pending calls that can go out together, in the order they were asked. The batch ends at
 * the first call that must wait for an earlier one: a read of a path an earlier call writes, or
 * a write of a path an earlier call reads or writes. run_js never touches the workspace.
 */
function nextBatch(plans: readonly IntentPlan[], parallel: boolean, room: number): PlannedCall[] {
  const batch: PlannedCall[] = [];
  for (const call of plans.flatMap((plan) => plan.pending)) {
    if (batch.some((other) => other.name === call.name && other.arguments === call.arguments)) continue;
    if (batch.length >= room || (batch.length > 0 && (!parallel || mustWait(call, batch)))) break;
    batch.push(call);
  }
  return batch;
}

function mustWait(call: PlannedCall, earlier: readonly PlannedCall[]): boolean {
  if (call.access === 'execute') return false;
  return earlier.some((other) => (call.access === 'write' || other.access === 'write') && other.access !== 'execute' && overlaps(call.paths, other.paths));
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => {
    const [p, q] = [workspaceKey(x), workspaceKey(y)];
    return p === q || p === '' || q === '' || p.startsWith(`${q}/`) || q.startsWith(`${p}/`);
  }));
}

function workspaceKey(path: string): string {
  try {
    return resolveWorkspacePath(path);
  } catch {
    return path;
  }
}

function prefaces(plans: readonly IntentPlan[], batch: readonly PlannedCall[]): string {
  const said = plans.filter((plan) => plan.preface && plan.pending.some((call) => batch.includes(call))).map((plan) => plan.preface!);
  return [...new Set(said)].join('\n\n');
}

