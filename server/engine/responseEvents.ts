// Builds the event sequence of one response (PROTOCOL.md §3) from planned output. Pure: the
// transports (WebSocket frames, SSE) decide how the events travel and where
// `response.metadata` goes.
import {
  TURN_STATE_KEY,
  type ContentPart,
  type FunctionCallItem,
  type Item,
  type MessageItem,
  type ResponseObject,
  type ServerEvent,
  type Usage,
} from '../../src/core/wire.ts';

export type IdPrefix = 'resp' | 'msg' | 'fc' | 'call';
export type NewId = (prefix: IdPrefix) => string;

export interface PlannedToolCall {
  name: string;
  arguments: string;
  /** Scripts may fix the call id so tests can answer it; otherwise one is generated. */
  callId?: string;
}

export interface OutputPlan {
  /** The assistant's text already cut into the deltas to stream; no deltas → no message item. */
  textDeltas: string[];
  toolCalls: PlannedToolCall[];
}

export interface BuiltResponse {
  events: ServerEvent[];
  response: ResponseObject;
}

/** Rough token count (≈ 4 characters a token): enough for a usage display, and it grows with the
 *  conversation as a real count does, so the broker's compaction threshold is reached in time. */
export function estimateTokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value).length / 4);
}

export function usageFor(conversation: readonly Item[], output: readonly Item[]): Usage {
  const input_tokens = estimateTokens(conversation);
  const output_tokens = output.length === 0 ? 0 : estimateTokens(output);
  return { input_tokens, output_tokens, total_tokens: input_tokens + output_tokens };
}

export function responseEvents(args: {
  responseId: string;
  model: string;
  conversation: readonly Item[];
  plan: OutputPlan;
  newId: NewId;
  /** Scripted token counts; omitted: the estimate of usageFor. */
  usage?: { input_tokens: number; output_tokens: number };
}): BuiltResponse {
  const { responseId, model, plan, newId } = args;
  const pending: ResponseObject = { id: responseId, object: 'response', model, status: 'in_progress', output: [], usage: null };
  const events: ServerEvent[] = [
    { type: 'response.created', response: { ...pending } },
    { type: 'response.in_progress', response: { ...pending } },
  ];
  const output: Item[] = [];

  if (plan.textDeltas.length > 0) {
    const output_index = output.length;
    const item_id = newId('msg');
    const text = plan.textDeltas.join('');
    const part: ContentPart = { type: 'output_text', text, annotations: [] };
    const done: MessageItem = { type: 'message', id: item_id, role: 'assistant', status: 'completed', content: [part] };
    const at = { item_id, output_index, content_index: 0 };
    events.push(
      { type: 'response.output_item.added', output_index, item: { ...done, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', ...at, part: { ...part, text: '' } },
      ...plan.textDeltas.map((delta): ServerEvent => ({ type: 'response.output_text.delta', ...at, delta })),
      { type: 'response.output_text.done', ...at, text },
      { type: 'response.content_part.done', ...at, part },
      { type: 'response.output_item.done', output_index, item: done },
    );
    output.push(done);
  }

  for (const call of plan.toolCalls) {
    const output_index = output.length;
    const item_id = newId('fc');
    const done: FunctionCallItem = {
      type: 'function_call',
      id: item_id,
      call_id: call.callId ?? newId('call'),
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    };
    events.push(
      { type: 'response.output_item.added', output_index, item: { ...done, arguments: '', status: 'in_progress' } },
      ...splitIntoChunks(call.arguments, 3).map(
        (delta): ServerEvent => ({ type: 'response.function_call_arguments.delta', item_id, output_index, delta }),
      ),
      { type: 'response.function_call_arguments.done', item_id, output_index, arguments: call.arguments },
      { type: 'response.output_item.done', output_index, item: done },
    );
    output.push(done);
  }

  const usage = args.usage
    ? { input_tokens: args.usage.input_tokens, output_tokens: args.usage.output_tokens, total_tokens: args.usage.input_tokens + args.usage.output_tokens }
    : usageFor(args.conversation, output);
  const response: ResponseObject = { ...pending, status: 'completed', output, usage };
  events.push({ type: 'response.completed', response });
  return { events, response };
}

/** A `generate:false` warmup: created and completed, no output, but a chainable id. */
export function warmupEvents(args: { responseId: string; model: string; conversation: readonly Item[] }): BuiltResponse {
  const pending: ResponseObject = { id: args.responseId, object: 'response', model: args.model, status: 'in_progress', output: [], usage: null };
  const response: ResponseObject = { ...pending, status: 'completed', usage: usageFor(args.conversation, []) };
  return {
    events: [
      { type: 'response.created', response: pending },
      { type: 'response.completed', response },
    ],
    response,
  };
}

/** The WebSocket-only event that carries the turn state (PROTOCOL.md §3). */
export function metadataEvent(responseId: string, turnState: string): ServerEvent {
  return { type: 'response.metadata', response_id: responseId, headers: { [TURN_STATE_KEY]: turnState } };
}

export function errorEvent(status: number, code: string, message: string, param: string | null = null): ServerEvent {
  return {
    type: 'error',
    status,
    error: { type: status >= 500 ? 'server_error' : 'invalid_request_error', code, message, param },
  };
}

/** Cuts text into `count` pieces of near-equal length (fewer if the text is shorter), never splitting a code point. */
export function splitIntoChunks(text: string, count: number): string[] {
  const chars = Array.from(text);
  const pieces = Math.max(1, Math.min(Math.floor(count), chars.length));
  if (chars.length === 0) return [];
  const chunks: string[] = [];
  for (let i = 0; i < pieces; i++) {
    chunks.push(chars.slice(Math.floor((i * chars.length) / pieces), Math.floor(((i + 1) * chars.length) / pieces)).join(''));
  }
  return chunks;
}

/** Cuts text into groups of `wordsPerGroup` words (each keeps its trailing whitespace): how a model streams. */
export function splitIntoWordGroups(text: string, wordsPerGroup: number): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
  const groups: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerGroup) groups.push(words.slice(i, i + wordsPerGroup).join(''));
  return groups;
}
