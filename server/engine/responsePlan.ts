// Decides what one generating response will be: a scripted plan (test hooks) or the offline
// agent's reply, plus how it is delivered. Pure, shared by the WebSocket and HTTP transports.
import type { Item } from '../../src/core/wire.ts';
import { offlineReply } from './offlineAgent.ts';
import { firehoseDeltas } from './firehose.ts';
import type { DeliveryScript } from './responseDelivery.ts';
import type { ResponseRequest } from './responseRequest.ts';
import { splitIntoChunks, splitIntoWordGroups, type OutputPlan } from './responseEvents.ts';
import type { ScriptedResponse, ScriptedUsage } from './testControl.ts';

/** ScriptedResponse.chunks default. */
const DEFAULT_SCRIPTED_CHUNKS = 4;
/** The offline agent streams a delta per this many words. */
const AGENT_WORDS_PER_DELTA = 3;

export type ResponsePlan =
  | { kind: 'error'; status: number; code: string; message: string }
  | {
      kind: 'output';
      output: OutputPlan;
      /** undefined: the engine's next counter value; null: advertise none. */
      turnState: string | null | undefined;
      delivery: DeliveryScript;
      /** undefined: the engine's estimate. */
      usage: ScriptedUsage | undefined;
    };

/** What the offline agent needs from the request besides the conversation. */
export type AgentRequest = Pick<ResponseRequest, 'tools' | 'parallelToolCalls'>;

export function planResponse(
  scripted: ScriptedResponse | undefined,
  conversation: readonly Item[],
  request: AgentRequest,
): ResponsePlan {
  if (scripted?.error) return { kind: 'error', ...scripted.error };
  return {
    kind: 'output',
    output: scriptedOutput(scripted) ?? agentOutput(conversation, request),
    turnState: scripted?.turnState,
    delivery: scripted ?? {},
    usage: scripted?.usage,
  };
}

/**
 * A script that sets none of `text`, `firehose` and `toolCalls` only shapes delivery (turn state,
 * drops, delays…); its content then comes from the offline agent.
 */
function scriptedOutput(scripted: ScriptedResponse | undefined): OutputPlan | undefined {
  if (!scripted || (scripted.text === undefined && scripted.firehose === undefined && scripted.toolCalls === undefined)) return undefined;
  return {
    textDeltas: scripted.firehose ? firehoseDeltas(scripted.firehose) : splitIntoChunks(scripted.text ?? '', scripted.chunks ?? DEFAULT_SCRIPTED_CHUNKS),
    toolCalls: (scripted.toolCalls ?? []).map((call) => ({
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      callId: call.callId,
    })),
  };
}

function agentOutput(conversation: readonly Item[], request: AgentRequest): OutputPlan {
  const reply = offlineReply(conversation, request.tools, { parallelToolCalls: request.parallelToolCalls });
  return { textDeltas: splitIntoWordGroups(reply.text, AGENT_WORDS_PER_DELTA), toolCalls: reply.toolCalls };
}
