// The contract between the broker's agent loop and the tools it runs for the model.
//
// A function call goes through two steps, so a person can approve a write before it happens:
//   1. prepareToolCall(call, context) reads only: it parses and validates the arguments and, for
//      a write, works out the exact change (a patch is planned completely, with its diff). A call
//      that cannot run at all (unknown tool, bad arguments, a patch whose context does not match)
//      comes back as a ready `output`, and nothing waits for approval.
//   2. prepared.run() carries it out. The broker calls it at once for `read` calls, and for
//      `write` / `execute` calls only once the thread's approval policy allows it.
// Neither step ever rejects: every failure is text the model reads as the tool's output.
import type { FunctionCallItem, FunctionTool } from '../wire.ts';
import type { Workspace } from '../workspace.ts';

/** What a call may do, which decides whether the thread's approval policy applies. */
export type ToolAccess = 'read' | 'write' | 'execute';

/** One file a tool call changed, with enough to show it (diff) and to undo it (before). */
export interface FileChange {
  /** Workspace-relative path after the change (for a move: the destination). */
  path: string;
  kind: 'add' | 'update' | 'move' | 'delete';
  /** For a move: where the file was. */
  from?: string;
  /** Content before the change; null when the file did not exist (add). */
  before: string | null;
  /** Content after the change; null when the file is gone (delete). */
  after: string | null;
  /** Unified diff of the change, for the transcript and the approval prompt. */
  diff: string;
}

export interface ToolRunResult {
  /** What the model reads (already capped by the tool, with a note when cut). */
  output: string;
  /** Files the call changed, in the order it changed them; empty for reads and run_js. */
  changes: FileChange[];
}

/** JavaScript execution for run_js, isolated from the app: no network, no storage, no DOM. */
export interface JsRunner {
  run(code: string, limits: JsRunLimits): Promise<JsRunResult>;
}

/** What one run of run_js may use. */
export interface JsRunLimits {
  timeoutMs: number;
  outputMaxChars: number;
  memoryBytes: number;
}

export interface JsRunResult {
  /** console.log/info/warn/error lines, in order, each prefixed by its level when not `log`. */
  console: string;
  /** The completion value of the code (or of the awaited promise it returned), as text. */
  result?: string;
  /** The uncaught error, a timeout or an exceeded memory limit, as text. */
  error?: string;
  /** True when console output was cut at outputMaxChars. */
  truncated: boolean;
}

export interface ToolContext {
  workspace: Workspace;
  jsRunner: JsRunner;
}

/** A validated call, ready to run once allowed. */
export interface PreparedToolCall {
  access: ToolAccess;
  /** One line for the approval prompt and the transcript, e.g. "apply_patch: add 2 files, update 1". */
  summary: string;
  /** What the person approves: the diff of a patch or a write, the code of run_js. */
  detail: string;
  run(): Promise<ToolRunResult>;
}

export type PrepareResult =
  | { kind: 'ready'; prepared: PreparedToolCall }
  /** The call cannot run; `output` says why (the model reads it) and nothing was changed. */
  | { kind: 'rejected'; output: string };

export interface ToolSet {
  definitions: FunctionTool[];
  prepare(call: FunctionCallItem, context: ToolContext): Promise<PrepareResult>;
}
