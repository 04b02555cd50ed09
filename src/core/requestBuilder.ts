// Builds each request of a turn: what to send, on which chain, with which metadata.
// The chaining rule (PROTOCOL.md §2): `previous_response_id` plus only the new items, and only on
// the socket that produced the thread's last response while that response is still the socket's
// most recent one; full input and no `previous_response_id` everywhere else.
import { buildClientMetadata, type RequestIdentity } from './clientMetadata.ts';
import type { FunctionTool, Item, ResponseBody, ResponseCreate } from './wire.ts';
import { TURN_STATE_KEY } from './wire.ts';

export interface ModelSettings {
  model: string;
  instructions?: string;
  tools: FunctionTool[];
}

/** Where the thread's last response lives, and how much of the history it already holds. */
export interface ThreadChain {
  socketId: number;
  responseId: string;
  /** history.slice(0, historyLength) is known to the server as part of `responseId`. */
  historyLength: number;
}

/** True when a request on `socket` may continue `chain`. */
export function canChain(chain: ThreadChain | null, socket: { id: number; lastResponseId: string | null }): chain is ThreadChain {
  return chain !== null && chain.socketId === socket.id && socket.lastResponseId === chain.responseId;
}

/** Strips server-side identity from an item before it is replayed as input: with `store:false`
 *  the server keeps no items, so ids and statuses from an earlier response mean nothing to it. */
export function asInputItem(item: Item): Item {
  if (item.type !== 'message' && item.type !== 'function_call') return item;
  const { id: _id, status: _status, ...rest } = item as Item & { id?: unknown; status?: unknown };
  return rest as Item;
}

export interface WebSocketRequestParams {
  settings: ModelSettings;
  identity: RequestIdentity;
  history: readonly Item[];
  /** The chain to continue, already checked with canChain; null for full input. */
  chain: ThreadChain | null;
  turnState: string | undefined;
  generate?: boolean;
}

export function buildResponseCreate(params: WebSocketRequestParams): ResponseCreate {
  const { settings, identity, history, chain } = params;
  const input = chain ? history.slice(chain.historyLength) : history;
  const request: ResponseCreate = {
    type: 'response.create',
    ...baseBody(settings),
    input: input.map(asInputItem),
    client_metadata: buildClientMetadata(identity, params.turnState),
  };
  if (chain) request.previous_response_id = chain.responseId;
  if (params.generate === false) request.generate = false; // sent only on a warmup (§2)
  return request;
}

export interface HttpRequest {
  body: ResponseBody;
  headers: Record<string, string>;
}

/** PROTOCOL.md §1: over HTTP, the same object without `type`, `previous_response_id` and
 *  `generate`, always the full input; the turn state travels as a request header. */
export function buildHttpRequest(params: Omit<WebSocketRequestParams, 'chain' | 'generate'>): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (params.turnState !== undefined) headers[TURN_STATE_KEY] = params.turnState;
  return {
    body: {
      ...baseBody(params.settings),
      stream: true,
      input: params.history.map(asInputItem),
      client_metadata: buildClientMetadata(params.identity, undefined),
    },
    headers,
  };
}

function baseBody(settings: ModelSettings): Omit<ResponseBody, 'input'> {
  const body: Omit<ResponseBody, 'input'> = {
    model: settings.model,
    store: false,
    tools: settings.tools,
    tool_choice: 'auto',
    parallel_tool_calls: true,
  };
  if (settings.instructions) body.instructions = settings.instructions;
  return body;
}
