// Reads the current logical turn out of a conversation: the user's latest request and every
// tool call made for it since, with its output. The agent is stateless; this is its memory.
import { isFunctionCall, messageText, type FunctionCallItem, type FunctionCallOutputItem, type Item } from '../../../src/core/wire.ts';
import { isCompactionSummary, isUserMessage } from './compaction.ts';

export interface TurnCall {
  call: FunctionCallItem;
  /** undefined while no output came back (the client sends every output before asking again). */
  output: string | undefined;
}

export interface Turn {
  /** Text of the latest user message that is not a compaction summary; '' when there is none. */
  request: string;
  /** Function calls since that message, in order. */
  calls: TurnCall[];
  /** Outputs whose call is not in the turn (e.g. cut away by a compaction): reported by call id. */
  orphanOutputs: FunctionCallOutputItem[];
}

export function currentTurn(conversation: readonly Item[]): Turn {
  let start = 0;
  let request = '';
  for (let i = conversation.length - 1; i >= 0; i--) {
    const item = conversation[i]!;
    if (isUserMessage(item) && !isCompactionSummary(item)) {
      start = i + 1;
      request = messageText(item);
      break;
    }
  }
  const items = conversation.slice(start);
  const calls: TurnCall[] = items.filter(isFunctionCall).map((call) => ({ call, output: undefined }));
  const orphanOutputs: FunctionCallOutputItem[] = [];
  for (const item of items) {
    if (item.type !== 'function_call_output') continue;
    const output = item as FunctionCallOutputItem;
    const made = calls.find((entry) => entry.call.call_id === output.call_id);
    if (made) made.output = outputText(output);
    else orphanOutputs.push(output);
  }
  return { request, calls, orphanOutputs };
}

/** A function_call_output's text; structured outputs are shown as JSON. */
export function outputText(output: FunctionCallOutputItem): string {
  return typeof output.output === 'string' ? output.output : JSON.stringify(output.output);
}

/** The call already made in this turn with exactly this name and arguments, if any. */
export function findCall(turn: Turn, name: string, args: string): TurnCall | undefined {
  return turn.calls.find(({ call }) => call.name === name && call.arguments === args);
}
