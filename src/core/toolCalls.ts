// Runs the function calls of one response under the thread's approval policy, and keeps the
// approvals that wait for a person. Calls run one after another, in the order the model made
// them: a second patch is planned against the files as the first one left them, and the person
// approving sees each change exactly as it will be applied.
import type { ApprovalOutcome, ApprovalRequest } from './brokerMessages.ts';
import type { ApprovalPolicy } from './threadStore.ts';
import type { PreparedToolCall, ToolContext, ToolSet } from './tools/toolContract.ts';
import type { RecordedChangeSet } from './turnChanges.ts';
import type { FunctionCallItem, FunctionCallOutputItem } from './wire.ts';

export type DecidedBy = 'person' | 'policy' | 'stop';

interface Waiting {
  request: ApprovalRequest;
  settle(outcome: ApprovalOutcome, by: DecidedBy): void;
}

/** The approvals one turn is waiting for. */
export interface PendingApprovals {
  /** Waits for a person's answer (or a policy change, or a Stop through `signal`). */
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<{ outcome: ApprovalOutcome; by: DecidedBy }>;
  /** Settles one; false when it is not waiting (answered already, or never asked). */
  answer(approvalId: string, outcome: ApprovalOutcome, by: DecidedBy): boolean;
  /** Settles every waiting approval (a policy change). */
  answerAll(outcome: ApprovalOutcome, by: DecidedBy): void;
  list(): ApprovalRequest[];
}

export function createPendingApprovals(onSettled: (request: ApprovalRequest, outcome: ApprovalOutcome, by: DecidedBy) => void): PendingApprovals {
  const waiting = new Map<string, Waiting>();
  const answer = (approvalId: string, outcome: ApprovalOutcome, by: DecidedBy) => {
    const entry = waiting.get(approvalId);
    if (!entry) return false;
    entry.settle(outcome, by);
    return true;
  };
  return {
    ask(request, signal) {
      return new Promise((resolve) => {
        const onAbort = () => answer(request.approvalId, 'cancelled', 'stop');
        waiting.set(request.approvalId, {
          request,
          settle(outcome, by) {
            waiting.delete(request.approvalId);
            signal.removeEventListener('abort', onAbort);
            onSettled(request, outcome, by);
            resolve({ outcome, by });
          },
        });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    answer,
    answerAll(outcome, by) {
      for (const id of [...waiting.keys()]) answer(id, outcome, by);
    },
    list: () => [...waiting.values()].map((w) => w.request),
  };
}

/** What the model reads when a call needing approval did not run. */
export function notRunOutput(name: string, outcome: Exclude<ApprovalOutcome, 'approved'>): string {
  switch (outcome) {
    case 'denied':
      return `The user denied this ${name} call: nothing was run or changed. Ask the user what they want instead, or go on without it.`;
    case 'refused':
      return `This thread is read-only, so ${name} is not allowed: nothing was run or changed. Describe the change you would make instead, or ask the user to change the thread's approval policy.`;
    case 'cancelled':
      return `The user stopped the turn before this ${name} call ran: nothing was run or changed.`;
  }
}

export interface CallHost {
  policy(): ApprovalPolicy;
  /** True once the turn was stopped: calls not started yet are answered, not run. */
  stopped(): boolean;
  /** Asks a person about a call (policy `ask`). */
  ask(call: FunctionCallItem, prepared: PreparedToolCall): Promise<ApprovalOutcome>;
  /** A call changed files. */
  changed(set: RecordedChangeSet): void;
  /** A call finished (its output is final): emitted as it happens, so tabs see progress. */
  answered(output: FunctionCallOutputItem): void;
}

/** Runs `calls` in order and returns their outputs in the same order; never rejects. */
export async function runFunctionCalls(calls: readonly FunctionCallItem[], tools: ToolSet, context: ToolContext, host: CallHost): Promise<FunctionCallOutputItem[]> {
  const outputs: FunctionCallOutputItem[] = [];
  for (const call of calls) {
    // Every call still gets an output (the history must pair each call with one), but after a
    // Stop nothing more is prepared or run.
    const text = host.stopped() ? notRunOutput(call.name, 'cancelled') : await runOne(call, tools, context, host);
    const output: FunctionCallOutputItem = { type: 'function_call_output', call_id: call.call_id, output: text };
    outputs.push(output);
    host.answered(output);
  }
  return outputs;
}

async function runOne(call: FunctionCallItem, tools: ToolSet, context: ToolContext, host: CallHost): Promise<string> {
  try {
    const prepared = await tools.prepare(call, context);
    if (prepared.kind === 'rejected') return prepared.output;
    const { access } = prepared.prepared;
    if (access !== 'read') {
      const policy = host.policy();
      const outcome = policy === 'read-only' ? 'refused' : policy === 'auto' ? 'approved' : await host.ask(call, prepared.prepared);
      if (outcome !== 'approved') return notRunOutput(call.name, outcome);
    }
    const result = await prepared.prepared.run();
    if (result.changes.length > 0) host.changed({ callId: call.call_id, tool: call.name, workspaceId: context.workspace.id, changes: result.changes });
    return result.output;
  } catch (error) {
    // The contract says tools never reject; a bug in one must still not end the turn.
    return `Error: ${call.name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
  }
}
