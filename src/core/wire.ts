// The Responses API wire shapes Switchboard speaks (see ../shared/PROTOCOL.md §2–§3).
// Shared by the broker, the embedded engine and the tests, so it must stay free of DOM and I/O.

/** Header (and client_metadata key) that carries the per-turn state. */
export const TURN_STATE_KEY = 'x-codex-turn-state';
/** Beta header the relay sends upstream on the WebSocket handshake. */
export const RESPONSES_WS_BETA = 'responses_websockets=2026-02-06';
/** PROTOCOL.md §2: each client_metadata value is at most this many characters. */
export const CLIENT_METADATA_VALUE_MAX = 2048;

export type ContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string; annotations?: unknown[] };

export interface MessageItem {
  type: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: ContentPart[];
  status?: string;
}

export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: string;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string;
}

/** Items we understand. Anything else (reasoning, compaction, …) is carried opaquely. */
export type KnownItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;
export type OpaqueItem = { type: string; [key: string]: unknown };
export type Item = KnownItem | OpaqueItem;

export interface FunctionTool {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  strict?: boolean;
}

/** The body of `POST /v1/responses`; over WebSocket it travels flat beside `type`. */
export interface ResponseBody {
  model: string;
  store?: boolean;
  instructions?: string;
  input: Item[];
  tools?: FunctionTool[];
  tool_choice?: 'auto' | 'none' | 'required';
  parallel_tool_calls?: boolean;
  previous_response_id?: string;
  generate?: boolean;
  stream?: boolean;
  client_metadata?: Record<string, string>;
}

export interface ResponseCreate extends ResponseBody {
  type: 'response.create';
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  [key: string]: unknown;
}

export interface ResponseObject {
  id: string;
  object?: 'response';
  status: 'in_progress' | 'completed' | 'failed' | 'incomplete' | string;
  output: Item[];
  usage?: Usage | null;
  error?: { code?: string; message?: string } | null;
  incomplete_details?: { reason?: string } | null;
  [key: string]: unknown;
}

export interface ApiError {
  type?: string;
  code?: string | null;
  message: string;
  param?: string | null;
  [key: string]: unknown;
}

/** Server → client events. Unknown types are allowed through and ignored by consumers. */
export type ServerEvent =
  | { type: 'response.created'; response: ResponseObject; sequence_number?: number }
  | { type: 'response.in_progress'; response: ResponseObject; sequence_number?: number }
  | { type: 'response.metadata'; response_id?: string; headers?: Record<string, unknown> }
  | { type: 'response.output_item.added'; output_index: number; item: Item }
  | { type: 'response.output_item.done'; output_index: number; item: Item }
  | { type: 'response.content_part.added'; item_id: string; output_index: number; content_index: number; part: ContentPart }
  | { type: 'response.content_part.done'; item_id: string; output_index: number; content_index: number; part: ContentPart }
  | { type: 'response.output_text.delta'; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.output_text.done'; item_id: string; output_index: number; content_index: number; text: string }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; arguments: string }
  | { type: 'response.completed'; response: ResponseObject }
  | { type: 'response.failed'; response: ResponseObject }
  | { type: 'response.incomplete'; response: ResponseObject }
  | { type: 'error'; status?: number; error: ApiError };

export type TerminalEvent = Extract<ServerEvent, { type: 'response.completed' | 'response.failed' | 'response.incomplete' | 'error' }>;

export function isTerminal(event: { type: string }): event is TerminalEvent {
  return (
    event.type === 'response.completed' ||
    event.type === 'response.failed' ||
    event.type === 'response.incomplete' ||
    event.type === 'error'
  );
}

export function isFunctionCall(item: Item): item is FunctionCallItem {
  return item.type === 'function_call';
}

/** Text of a message item's text parts, joined. */
export function messageText(item: Item): string {
  if (item.type !== 'message') return '';
  const content = (item as MessageItem).content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

export function userMessage(text: string): MessageItem {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

/**
 * PROTOCOL.md §3: the turn state is read only from the top-level `headers` of an event whose
 * type is exactly `response.metadata`; names match case-insensitively; a value may be a string
 * or an array whose first string element counts. Nested `metadata.headers` does not count.
 */
export function turnStateFromEvent(event: { type: string; [key: string]: unknown }): string | undefined {
  if (event.type !== 'response.metadata') return undefined;
  return turnStateFromHeaders(event.headers);
}

/** Reads the turn state from a header map (event headers or an HTTP response's headers). */
export function turnStateFromHeaders(headers: unknown): string | undefined {
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return undefined;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name.toLowerCase() !== TURN_STATE_KEY) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) {
      const first = value.find((v): v is string => typeof v === 'string');
      if (first !== undefined) return first;
    }
  }
  return undefined;
}
